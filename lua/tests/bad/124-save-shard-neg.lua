-- bad input (value): save shard neg
-- expect: shard_mb
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local model = edgelab.llm.load(U.model())
model:save(U.tmp("m.safetensors"), { format = "safetensors", shard_mb = -1 })
