-- bad input (file): gguf duplicate key
-- expect: duplicate
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local path = U.gguf("dup.gguf", 3, 0, { U.kv_u32("a", 1), U.kv_u32("a", 2) })
local m = edgelab.llm.load(path)
