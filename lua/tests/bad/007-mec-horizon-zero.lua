-- bad input (size): mec horizon zero
-- expect: horizon
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local env = edgelab.mec.env { horizon = 0 }
