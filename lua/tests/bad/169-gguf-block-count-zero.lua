-- bad input (file): gguf block count zero
-- expect: block_count
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local path = U.gguf_patch("llama.block_count", string.pack("<I4", 0))
local m = edgelab.llm.load(path)
