-- bad input (file): rl load wrong format
-- expect: checkpoint
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local path = U.write(U.tmp("wrong.json"), '{"format":"other"}')
local agent = edgelab.rl.load(path)
