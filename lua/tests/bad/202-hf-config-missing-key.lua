-- bad input (file): hf config missing key
-- expect: num_hidden_layers
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local dir = U.hf_dir("hf-config-missing-key", '{"hidden_size":64}')
local m = edgelab.llm.load(dir)
