-- bad input (file): gguf magic only
-- expect: truncated|version
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local path = U.write(U.tmp("magic.gguf"), "GGUF")
local m = edgelab.llm.load(path)
