-- bad input (bound): prune drop all layers
-- expect: drop_layers
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local model = edgelab.llm.load(U.model())
local m2 = edgelab.compress.prune(model, { drop_layers = 2, texts = { string.rep("abc ", 300) } })
