-- bad input (decoder): decode run unknown
-- expect: nam
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local r2 = edgelab.lab.run { nam = 1 }
