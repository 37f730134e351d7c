-- bad input (file): gguf embedding huge
-- expect: embedding_length
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local path = U.gguf_patch("llama.embedding_length", string.pack("<I4", 0x7FFFFFFF))
local m = edgelab.llm.load(path)
