-- bad input (conversion): tensor rows out
-- expect: rows
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local t = edgelab.tensor.zeros({ 2, 2 })
local x = t:rows(1, 2^40)
