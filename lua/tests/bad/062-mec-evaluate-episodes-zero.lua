-- bad input (size): mec evaluate episodes zero
-- expect: episodes
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local env = edgelab.mec.env { users = 2, horizon = 5 }
local p = edgelab.mec.baseline("always-local", env)
local r = edgelab.mec.evaluate(p, env, { episodes = 0 })
