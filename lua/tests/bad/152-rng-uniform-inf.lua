-- bad input (value): rng uniform inf
-- expect: uniform
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local r = edgelab.rng.new(1)
local x = r:uniform(-math.huge, math.huge)
