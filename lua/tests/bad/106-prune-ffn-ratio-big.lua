-- bad input (value): prune ffn ratio big
-- expect: ffn_ratio
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local model = edgelab.llm.load(U.model())
local m2 = edgelab.compress.prune(model, { ffn_ratio = 1.5, texts = { string.rep("abc ", 300) } })
