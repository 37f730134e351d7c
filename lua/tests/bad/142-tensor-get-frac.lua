-- bad input (conversion): tensor get frac
-- expect: get
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local t = edgelab.tensor.zeros({ 2 })
local x = t:get(1.5)
