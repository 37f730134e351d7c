-- bad input (decoder): decode tensor matmul unknown
-- expect: transpose
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local a = edgelab.tensor.zeros({ 2, 2 })
local b = edgelab.tensor.matmul(a, a, { transpose = true })
