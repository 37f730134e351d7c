-- bad input (lifecycle): csv row too long
-- expect: column
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local w = run:csv("d.csv", { "x" })
w:add { 1, 2, 3 }
