-- bad input (size): quantize calibration length huge
-- expect: calibration_length
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local model = edgelab.llm.load(U.model())
local m2 = edgelab.compress.quantize(model, { method = "gptq", calibration_length = 1e9, texts = { string.rep("abc ", 300) } })
