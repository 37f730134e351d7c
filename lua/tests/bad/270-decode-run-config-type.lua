-- bad input (decoder): decode run config type
-- expect: config
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local r2 = edgelab.lab.run { name = "x", config = 5 }
