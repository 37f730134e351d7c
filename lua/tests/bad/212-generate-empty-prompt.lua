-- bad input (bound): generate empty prompt
-- expect: no input tokens
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local model = edgelab.llm.load(U.model())
local text = model:generate("", { max_tokens = 4 })
