-- bad input (size): prune calibration windows huge
-- expect: calibration_windows
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local model = edgelab.llm.load(U.model())
local m2 = edgelab.compress.prune(model, { ffn_ratio = 0.25, calibration_windows = 1e12, texts = { string.rep("abc ", 300) } })
