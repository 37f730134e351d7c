-- bad input (size): tensor reshape huge
-- expect: shape
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local t = edgelab.tensor.zeros({4}):reshape({2^40, 2^40})
