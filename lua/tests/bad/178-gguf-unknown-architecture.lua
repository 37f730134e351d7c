-- bad input (file): gguf unknown architecture
-- expect: gpt9
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local path = U.gguf("arch.gguf", 3, 0, { U.kv_str("general.architecture", "gpt9") })
local m = edgelab.llm.load(path)
