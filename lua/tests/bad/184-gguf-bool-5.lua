-- bad input (file): gguf bool 5
-- expect: bool
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local path = U.gguf("bool.gguf", 3, 0, { string.pack("<s8I4B", "x", 7, 5) })
local m = edgelab.llm.load(path)
