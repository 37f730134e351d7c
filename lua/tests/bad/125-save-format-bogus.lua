-- bad input (value): save format bogus
-- expect: format
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local model = edgelab.llm.load(U.model())
model:save(U.tmp("m.bin"), { format = "onnx" })
