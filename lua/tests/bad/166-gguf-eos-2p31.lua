-- bad input (file): gguf eos 2p31
-- expect: eos_token_id
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local path = U.gguf_patch("tokenizer.ggml.eos_token_id", string.pack("<I4", 0x80000000))
local m = edgelab.llm.load(path)
