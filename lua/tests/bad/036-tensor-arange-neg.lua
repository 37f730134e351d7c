-- bad input (size): tensor arange neg
-- expect: n must be
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local t = edgelab.tensor.arange(-5)
