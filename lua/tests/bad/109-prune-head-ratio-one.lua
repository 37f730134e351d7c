-- bad input (value): prune head ratio one
-- expect: head_ratio
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local model = edgelab.llm.load(U.model())
local m2 = edgelab.compress.prune(model, { head_ratio = 1, texts = { string.rep("abc ", 300) } })
