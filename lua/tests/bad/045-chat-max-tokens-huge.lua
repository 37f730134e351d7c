-- bad input (size): chat max tokens huge
-- expect: max_tokens
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local model = edgelab.llm.load(U.model())
local text = model:chat("hi", { max_tokens = 1e15 })
