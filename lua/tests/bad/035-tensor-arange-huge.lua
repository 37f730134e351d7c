-- bad input (size): tensor arange huge
-- expect: arange
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local t = edgelab.tensor.arange(2^40)
