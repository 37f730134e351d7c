-- bad input (size): rng permutation 1e12
-- expect: permutation
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local r = edgelab.rng.new(1)
local p = r:permutation(1e12)
