-- bad input (lifecycle): stats std one
-- expect: stats.std
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local v = edgelab.stats.std({ 1 })
