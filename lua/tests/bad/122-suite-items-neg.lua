-- bad input (value): suite items neg
-- expect: items
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local s = edgelab.eval.suite { items_per_task = -3 }
