-- bad input (size): llm threads zero
-- expect: threads
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
edgelab.llm.threads(0)
