-- bad input (file): safetensors header max
-- expect: header
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local path = U.safetensors("max.safetensors", "{}", "", 0xFFFFFFFFFFFFFFFF)
local t = edgelab.tensor.load(path)
