-- bad input (value): prune drop layers neg
-- expect: drop_layers
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local model = edgelab.llm.load(U.model())
local m2 = edgelab.compress.prune(model, { drop_layers = -1, texts = { string.rep("abc ", 300) } })
