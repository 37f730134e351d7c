-- bad input (file): gguf bad value type
-- expect: type
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local path = U.gguf_patch("llama.block_count", string.pack("<I4", 77), 99)
local m = edgelab.llm.load(path)
