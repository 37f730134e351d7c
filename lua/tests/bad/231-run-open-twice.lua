-- bad input (lifecycle): run open twice
-- expect: already open
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local r2 = edgelab.lab.run {}
