-- bad input (size): mec horizon 1e12
-- expect: horizon
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local env = edgelab.mec.env { horizon = 1e12 }
