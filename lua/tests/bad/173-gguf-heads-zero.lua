-- bad input (file): gguf heads zero
-- expect: head
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local path = U.gguf_patch("llama.attention.head_count", string.pack("<I4", 0))
local m = edgelab.llm.load(path)
