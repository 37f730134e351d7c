-- bad input (decoder): decode mec scenario bogus
-- expect: scenario
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local env = edgelab.mec.env { scenario = "moon" }
