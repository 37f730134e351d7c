-- bad input (value): stats quantile q
-- expect: q must be in
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local q = edgelab.stats.quantile({ 1, 2, 3 }, 2)
