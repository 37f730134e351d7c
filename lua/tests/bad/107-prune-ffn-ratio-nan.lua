-- bad input (value): prune ffn ratio nan
-- expect: ffn_ratio
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local model = edgelab.llm.load(U.model())
local m2 = edgelab.compress.prune(model, { ffn_ratio = 0/0, texts = { string.rep("abc ", 300) } })
