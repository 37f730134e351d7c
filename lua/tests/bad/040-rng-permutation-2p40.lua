-- bad input (size): rng permutation 2p40
-- expect: permutation
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local r = edgelab.rng.new(1)
local p = r:permutation(2^40)
