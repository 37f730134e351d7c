-- bad input (bound): logprobs beyond context
-- expect: exceeds|context
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local model = edgelab.llm.load(U.model())
local lp = model:logprobs(string.rep("z", 5000))
