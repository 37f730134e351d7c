-- bad input (value): chat temperature nan
-- expect: temperature
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local model = edgelab.llm.load(U.model())
local text = model:chat("hello", { max_tokens = 4, temperature = 0/0 })
