-- bad input (decoder): decode quantize unknown
-- expect: bitz
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local model = edgelab.llm.load(U.model())
local m2 = edgelab.compress.quantize(model, { bitz = 4 })
