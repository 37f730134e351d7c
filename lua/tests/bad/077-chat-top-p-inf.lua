-- bad input (value): chat top p inf
-- expect: top_p
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local model = edgelab.llm.load(U.model())
local text = model:chat("hello", { max_tokens = 4, temperature = 1, top_p = math.huge })
