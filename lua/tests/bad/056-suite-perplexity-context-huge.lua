-- bad input (size): suite perplexity context huge
-- expect: perplexity_context
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local s = edgelab.eval.suite { perplexity_context = 2^40 }
