-- bad input (conversion): cross entropy target 1e300
-- expect: target
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local t = edgelab.tensor.zeros({ 2, 3 })
local l = edgelab.tensor.cross_entropy(t, { 1, 1e300 })
