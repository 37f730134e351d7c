-- bad input (lifecycle): config undeclared
-- expect: nope
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local cfg = edgelab.lab.config { a = 1 }
local x = cfg.nope
