-- bad input (file): gguf ffn max
-- expect: feed_forward_length
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local path = U.gguf_patch("llama.feed_forward_length", string.pack("<I4", 0xFFFFFFFF))
local m = edgelab.llm.load(path)
