-- bad input (size): rl num envs zero
-- expect: num_envs
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local env = edgelab.mec.env { users = 2, horizon = 5 }
local agent = edgelab.rl.ppo { env = env, num_envs = 0 }
