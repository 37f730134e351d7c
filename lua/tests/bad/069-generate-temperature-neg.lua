-- bad input (value): generate temperature neg
-- expect: temperature
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local model = edgelab.llm.load(U.model())
local text = model:generate("hello", { max_tokens = 4, temperature = -1 })
