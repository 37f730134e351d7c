-- bad input (size): tensor uniform huge
-- expect: shape
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local t = edgelab.tensor.uniform({2^33, 4}, 1)
