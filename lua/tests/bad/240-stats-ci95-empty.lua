-- bad input (lifecycle): stats ci95 empty
-- expect: stats.ci95
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local m, lo, hi = edgelab.stats.ci95({})
