-- bad input (file): safetensors offsets out
-- expect: data_offsets
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local path = U.safetensors("off.safetensors", '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,800]}}', "12345678")
local t = edgelab.tensor.load(path)
