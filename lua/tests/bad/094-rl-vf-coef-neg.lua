-- bad input (value): rl vf coef neg
-- expect: loss.value_coef
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local env = edgelab.mec.env { users = 2, horizon = 5 }
local agent = edgelab.rl.ppo { env = env, loss = { value_coef = -1 } }
