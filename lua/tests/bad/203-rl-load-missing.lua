-- bad input (file): rl load missing
-- expect: checkpoint
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local agent = edgelab.rl.load(U.tmp("none.json"))
