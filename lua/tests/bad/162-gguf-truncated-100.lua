-- bad input (file): gguf truncated 100
-- expect: truncated|metadata count
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local path = U.truncated("trunc100.gguf", 100)
local m = edgelab.llm.load(path)
