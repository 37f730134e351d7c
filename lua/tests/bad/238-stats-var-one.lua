-- bad input (lifecycle): stats var one
-- expect: stats.var
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local v = edgelab.stats.var({ 1 })
