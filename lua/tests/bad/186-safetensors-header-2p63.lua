-- bad input (file): safetensors header 2p63
-- expect: header
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local path = U.safetensors("h63.safetensors", "{}", "", 1 << 63)
local t = edgelab.tensor.load(path)
