-- bad input (file): gguf truncated last byte
-- expect: tensor
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local path = U.truncated("trunc-minus1.gguf", #U.read(U.model()) - 1)
local m = edgelab.llm.load(path)
