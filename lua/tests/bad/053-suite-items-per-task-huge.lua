-- bad input (size): suite items per task huge
-- expect: items_per_task
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local s = edgelab.eval.suite { items_per_task = 1e12 }
