-- bad input (conversion): rng new neg
-- expect: seed
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local r = edgelab.rng.new(-1)
