-- bad input (conversion): rng integer wide
-- expect: too wide
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local r = edgelab.rng.new(1)
local x = r:integer(math.mininteger, math.maxinteger)
