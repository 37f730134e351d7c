-- bad input (file): gguf array huge
-- expect: array
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local path = U.gguf("arr.gguf", 3, 0, { string.pack("<s8I4I4I8", "x", 9, 4, 1 << 61) })
local m = edgelab.llm.load(path)
