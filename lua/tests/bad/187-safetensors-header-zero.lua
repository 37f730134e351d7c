-- bad input (file): safetensors header zero
-- expect: header
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local path = U.safetensors("h0.safetensors", "{}", "", 0)
local t = edgelab.tensor.load(path)
