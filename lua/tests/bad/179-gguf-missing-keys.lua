-- bad input (file): gguf missing keys
-- expect: block_count
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local path = U.gguf("nokeys.gguf", 3, 0, { U.kv_str("general.architecture", "llama") })
local m = edgelab.llm.load(path)
