-- bad input (file): safetensors shape neg
-- expect: shape
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local path = U.safetensors("neg.safetensors", '{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}', "12345678")
local t = edgelab.tensor.load(path)
