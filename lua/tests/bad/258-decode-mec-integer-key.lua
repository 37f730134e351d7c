-- bad input (decoder): decode mec integer key
-- expect: key|string
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local env = edgelab.mec.env { 1, 2, 3 }
