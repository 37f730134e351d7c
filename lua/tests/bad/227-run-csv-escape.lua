-- bad input (lifecycle): run csv escape
-- expect: file name
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local w = run:csv("../escape.csv", { "x" })
