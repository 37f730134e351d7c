-- bad input (lifecycle): csv after finish
-- expect: closed
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local w = run:csv("a.csv", { "x" })
w:add { 1 }
run:finish()
local second <close> = edgelab.lab.run { name = "second" }
w:add { 2 }
