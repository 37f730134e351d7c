-- bad input (lifecycle): stats median empty
-- expect: stats.
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local v = edgelab.stats.median({})
