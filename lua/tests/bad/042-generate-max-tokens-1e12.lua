-- bad input (size): generate max tokens 1e12
-- expect: max_tokens
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local model = edgelab.llm.load(U.model())
local text = model:generate("hi", { max_tokens = 1e12 })
