-- bad input (size): llm threads huge
-- expect: threads
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
edgelab.llm.threads(1e6)
