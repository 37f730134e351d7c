-- bad input (file): gguf alignment 3
-- expect: alignment
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local path = U.gguf("align.gguf", 3, 0, { U.kv_str("general.architecture", "llama"), U.kv_u32("general.alignment", 3) })
local m = edgelab.llm.load(path)
