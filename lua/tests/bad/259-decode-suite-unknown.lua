-- bad input (decoder): decode suite unknown
-- expect: itemz
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local s = edgelab.eval.suite { itemz = 3 }
