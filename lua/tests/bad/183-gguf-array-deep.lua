-- bad input (file): gguf array deep
-- expect: deep|nested|array
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local path = U.gguf("deep.gguf", 3, 0, { string.pack("<s8I4", "x", 9) .. string.rep(string.pack("<I4I8", 9, 1), 12) })
local m = edgelab.llm.load(path)
