-- bad input (file): safetensors missing file
-- expect: cannot read
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local path = U.tmp("nope.safetensors")
local t = edgelab.tensor.load(path)
