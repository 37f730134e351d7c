-- bad input (bound): chat prompt beyond context
-- expect: context
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local model = edgelab.llm.load(U.model())
local text = model:chat(string.rep("y", 5000), { max_tokens = 4 })
