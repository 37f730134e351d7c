-- bad input (size): suite perplexity tokens huge
-- expect: perplexity_tokens
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local s = edgelab.eval.suite { perplexity_tokens = 2^40 }
