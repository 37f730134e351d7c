-- bad input (size): grid huge
-- expect: grid
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local xs = {}
for i = 1, 2000 do xs[i] = i end
local g = edgelab.grid { a = xs, b = xs }
