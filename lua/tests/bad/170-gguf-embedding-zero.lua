-- bad input (file): gguf embedding zero
-- expect: embedding_length
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local path = U.gguf_patch("llama.embedding_length", string.pack("<I4", 0))
local m = edgelab.llm.load(path)
