-- bad input (decoder): decode grid record
-- expect: grid
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local g = edgelab.grid { a = { x = 1 } }
