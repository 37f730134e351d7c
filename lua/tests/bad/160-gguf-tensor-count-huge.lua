-- bad input (file): gguf tensor count huge
-- expect: tensor
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local path = U.gguf("tensors-huge.gguf", 3, 1 << 60, {})
local m = edgelab.llm.load(path)
