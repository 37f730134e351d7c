-- bad input (decoder): decode load unknown
-- expect: quantised
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local model = edgelab.llm.load(U.model())
local m2 = edgelab.llm.load(U.model(), { quantised = true })
