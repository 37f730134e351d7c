-- bad input (value): prune drop layers huge
-- expect: drop_layers
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local model = edgelab.llm.load(U.model())
local m2 = edgelab.compress.prune(model, { drop_layers = 1e9, texts = { string.rep("abc ", 300) } })
