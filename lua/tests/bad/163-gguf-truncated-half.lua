-- bad input (file): gguf truncated half
-- expect: truncated|tensor
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local path = U.truncated("trunc-half.gguf", #U.read(U.model()) // 2)
local m = edgelab.llm.load(path)
