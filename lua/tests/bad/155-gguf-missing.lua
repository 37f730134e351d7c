-- bad input (file): gguf missing
-- expect: not found
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local path = U.tmp("missing.gguf")
local m = edgelab.llm.load(path)
