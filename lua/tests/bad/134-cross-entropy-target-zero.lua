-- bad input (conversion): cross entropy target zero
-- expect: target
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local t = edgelab.tensor.zeros({ 2, 3 })
local l = edgelab.tensor.cross_entropy(t, { 1, 0 })
