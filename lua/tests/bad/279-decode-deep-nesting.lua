-- bad input (decoder): decode deep nesting
-- expect: option 'hidden.1.1.1.…': table nested deeper than 100 levels
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local env = edgelab.mec.env { users = 2, horizon = 5 }
local t = {}
local cur = t
for i = 1, 300 do cur[1] = {}; cur = cur[1] end
local agent = edgelab.rl.ppo { env = env, hidden = t }
