-- bad input (size): agent evaluate episodes huge
-- expect: episodes
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local env = edgelab.mec.env { users = 2, horizon = 5 }
local agent = edgelab.rl.ppo { env = env, num_envs = 1, num_steps = 8, minibatches = 1 }
local r = agent:evaluate(env, { episodes = 1e12 })
