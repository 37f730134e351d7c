-- bad input (decoder): decode tensor new ragged
-- expect: ragged
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local t = edgelab.tensor.new({ { 1, 2 }, { 3 } })
