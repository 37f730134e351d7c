-- bad input (file): gguf bos u32 max
-- expect: bos_token_id
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local path = U.gguf_patch("tokenizer.ggml.bos_token_id", string.pack("<I4", 0xFFFFFFFF))
local m = edgelab.llm.load(path)
