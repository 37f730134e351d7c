-- bad input (value): perplexity ctx beyond context
-- expect: ctx
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local model = edgelab.llm.load(U.model())
local ppl = model:perplexity(string.rep("abc ", 100), { ctx = 1e6 })
