-- bad input (size): tensor zeros 1e11
-- expect: shape
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local t = edgelab.tensor.zeros({1e5, 1e5, 10})
