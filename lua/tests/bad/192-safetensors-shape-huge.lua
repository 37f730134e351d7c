-- bad input (file): safetensors shape huge
-- expect: shape|malformed
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local path = U.safetensors("big.safetensors", '{"w":{"dtype":"F32","shape":[4611686018427387904, 4],"data_offsets":[0,8]}}', "12345678")
local t = edgelab.tensor.load(path)
