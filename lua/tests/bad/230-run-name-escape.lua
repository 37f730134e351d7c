-- bad input (lifecycle): run name escape
-- expect: experiment name
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local r2 = edgelab.lab.run { name = "../up" }
