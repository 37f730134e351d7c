-- bad input (value): generate top p zero
-- expect: top_p
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local model = edgelab.llm.load(U.model())
local text = model:generate("hello", { max_tokens = 4, top_p = 0 })
