-- bad input (conversion): mec step short
-- expect: action
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local env = edgelab.mec.env { users = 2, horizon = 5 }
env:reset(1)
local o = env:step({ 0 })
