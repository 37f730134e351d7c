-- bad input (bound): agent train neg
-- expect: steps
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local env = edgelab.mec.env { users = 2, horizon = 5 }
local agent = edgelab.rl.ppo { env = env, num_envs = 1, num_steps = 8, minibatches = 1 }
agent:train(-5)
