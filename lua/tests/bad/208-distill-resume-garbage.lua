-- bad input (file): distill resume garbage
-- expect: header length
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local model = edgelab.llm.load(U.model())
local ck = U.write(U.tmp("ck.safetensors"), "garbage!")
local s = edgelab.compress.distill(model, model, { steps = 1, windows = 2, length = 16, checkpoint = ck, resume = true, texts = { string.rep("abc ", 200) } })
