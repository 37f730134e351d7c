-- bad input (file): gguf empty
-- expect: empty.gguf|magic|small|truncated
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local path = U.write(U.tmp("empty.gguf"), "")
local m = edgelab.llm.load(path)
