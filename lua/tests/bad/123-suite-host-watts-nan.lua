-- bad input (value): suite host watts nan
-- expect: host_watts_per_core
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local s = edgelab.eval.suite { host_watts_per_core = 0/0 }
