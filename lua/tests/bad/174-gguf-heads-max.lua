-- bad input (file): gguf heads max
-- expect: head_count
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local path = U.gguf_patch("llama.attention.head_count", string.pack("<I4", 0xFFFFFFFF))
local m = edgelab.llm.load(path)
