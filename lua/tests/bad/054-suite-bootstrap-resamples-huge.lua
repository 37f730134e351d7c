-- bad input (size): suite bootstrap resamples huge
-- expect: bootstrap_resamples
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local s = edgelab.eval.suite { bootstrap_resamples = 1e12 }
