-- bad input (decoder): decode grid key
-- expect: grid
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local g = edgelab.grid { [1] = { 1 } }
