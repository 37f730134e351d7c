-- bad input (file): gguf kv count huge
-- expect: metadata
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local path = U.write(U.tmp("kv-huge.gguf"), "GGUF" .. string.pack("<I4I8I8", 3, 0, 1 << 60))
local m = edgelab.llm.load(path)
