-- bad input (lifecycle): run plot missing column
-- expect: nope
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local w = run:csv("p.csv", { "x", "y" })
w:add { 1, 2 }
run:plot { data = w, x = "x", y = "nope", file = "p.svg" }
