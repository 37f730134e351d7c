-- bad input (decoder): decode suite type
-- expect: items_per_task
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local s = edgelab.eval.suite { items_per_task = "all" }
