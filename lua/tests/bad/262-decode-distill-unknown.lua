-- bad input (decoder): decode distill unknown
-- expect: epochz
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local model = edgelab.llm.load(U.model())
local s = edgelab.compress.distill(model, model, { epochz = 3 })
