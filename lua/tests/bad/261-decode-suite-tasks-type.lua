-- bad input (decoder): decode suite tasks type
-- expect: tasks
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local s = edgelab.eval.suite { tasks = 3 }
