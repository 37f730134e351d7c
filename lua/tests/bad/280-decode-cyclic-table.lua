-- bad input (decoder): decode cyclic table
-- expect: hidden|cycle|recursive|nested
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local env = edgelab.mec.env { users = 2, horizon = 5 }
local t = {}
t[1] = t
local agent = edgelab.rl.ppo { env = env, hidden = t }
