-- bad input (size): distill steps neg
-- expect: steps
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local model = edgelab.llm.load(U.model())
local s = edgelab.compress.distill(model, model, { steps = -4, windows = 2, length = 16, texts = { string.rep("abc ", 200) } })
