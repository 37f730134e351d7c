-- bad input (value): prune multiple zero
-- expect: multiple
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local model = edgelab.llm.load(U.model())
local m2 = edgelab.compress.prune(model, { multiple = 0, texts = { string.rep("abc ", 300) } })
