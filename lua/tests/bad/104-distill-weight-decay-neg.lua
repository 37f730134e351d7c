-- bad input (value): distill weight decay neg
-- expect: weight_decay
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local model = edgelab.llm.load(U.model())
local s = edgelab.compress.distill(model, model, { weight_decay = -1, steps = 1, windows = 2, length = 16, texts = { string.rep("abc ", 200) } })
