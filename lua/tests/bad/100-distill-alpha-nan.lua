-- bad input (value): distill alpha nan
-- expect: alpha
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local model = edgelab.llm.load(U.model())
local s = edgelab.compress.distill(model, model, { alpha = 0/0, steps = 1, windows = 2, length = 16, texts = { string.rep("abc ", 200) } })
