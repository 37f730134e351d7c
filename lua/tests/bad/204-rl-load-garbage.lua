-- bad input (file): rl load garbage
-- expect: checkpoint
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local path = U.write(U.tmp("garbage.json"), "\0\1\2 not a checkpoint")
local agent = edgelab.rl.load(path)
