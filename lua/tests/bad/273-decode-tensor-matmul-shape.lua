-- bad input (decoder): decode tensor matmul shape
-- expect: matmul|shape
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local a = edgelab.tensor.zeros({ 2, 3 })
local b = edgelab.tensor.matmul(a, a)
