-- bad input (lifecycle): csv unknown column
-- expect: zzz
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local w = run:csv("e.csv", { "x" })
w:add { zzz = 1 }
