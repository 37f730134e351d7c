-- bad input (lifecycle): run finish bogus
-- expect: status
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
run:finish("maybe")
