-- bad input (decoder): decode rl env bogus
-- expect: env
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local agent = edgelab.rl.ppo { env = "atari" }
