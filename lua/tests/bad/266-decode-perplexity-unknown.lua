-- bad input (decoder): decode perplexity unknown
-- expect: context
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local model = edgelab.llm.load(U.model())
local p = model:perplexity("abc abc abc", { context = 8 })
