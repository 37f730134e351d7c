-- bad input (file): hf config not json
-- expect: config.json
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local dir = U.hf_dir("hf-config-not-json", 'not json at all')
local m = edgelab.llm.load(dir)
