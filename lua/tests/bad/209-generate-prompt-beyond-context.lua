-- bad input (bound): generate prompt beyond context
-- expect: context
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local model = edgelab.llm.load(U.model())
local text = model:generate(string.rep("x", 5000), { max_tokens = 4 })
