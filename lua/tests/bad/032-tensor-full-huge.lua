-- bad input (size): tensor full huge
-- expect: shape
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local t = edgelab.tensor.full({2^33, 3}, 1)
