-- bad input (file): safetensors short
-- expect: short
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local path = U.write(U.tmp("short.safetensors"), "abc")
local t = edgelab.tensor.load(path)
