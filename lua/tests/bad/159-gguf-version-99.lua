-- bad input (file): gguf version 99
-- expect: version
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local path = U.gguf("v99.gguf", 99, 0, {})
local m = edgelab.llm.load(path)
