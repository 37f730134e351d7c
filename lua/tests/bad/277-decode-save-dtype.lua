-- bad input (decoder): decode save dtype
-- expect: dtype
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local model = edgelab.llm.load(U.model())
model:save(U.tmp("x.gguf"), { dtype = "f8" })
