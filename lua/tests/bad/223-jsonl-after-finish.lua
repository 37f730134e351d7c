-- bad input (lifecycle): jsonl after finish
-- expect: closed
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local w = run:jsonl("a.jsonl")
run:finish()
local second = edgelab.lab.run { name = "second" }
w:add { x = 1 }
