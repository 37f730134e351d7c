-- bad input (decoder): decode rl env missing
-- expect: env
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local agent = edgelab.rl.ppo { }
