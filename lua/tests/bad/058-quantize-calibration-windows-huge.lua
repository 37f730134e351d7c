-- bad input (size): quantize calibration windows huge
-- expect: calibration_windows
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local model = edgelab.llm.load(U.model())
local m2 = edgelab.compress.quantize(model, { method = "gptq", calibration_windows = 1e12, texts = { string.rep("abc ", 300) } })
