-- bad input (decoder): decode generate table
-- expect: temperature
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local model = edgelab.llm.load(U.model())
local t = model:generate("hi", { temperature = { 1 } })
