-- bad input (decoder): decode rl hidden holes
-- expect: option 'hidden': table is not a sequence
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local env = edgelab.mec.env { users = 2, horizon = 5 }
local agent = edgelab.rl.ppo { env = env, hidden = { [1] = 64, [3] = 64 } }
