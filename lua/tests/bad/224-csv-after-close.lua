-- bad input (lifecycle): csv after close
-- expect: closed
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local w = run:csv("b.csv", { "x" })
w:close()
w:add { 1 }
