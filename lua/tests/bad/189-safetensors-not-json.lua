-- bad input (file): safetensors not json
-- expect: JSON
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local path = U.safetensors("nj.safetensors", "{not json")
local t = edgelab.tensor.load(path)
