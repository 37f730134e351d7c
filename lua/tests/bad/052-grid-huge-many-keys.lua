-- bad input (size): grid huge many keys
-- expect: grid
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local spec = {}
for i = 1, 30 do spec["k" .. i] = { 1, 2 } end
local g = edgelab.grid(spec)
