-- bad input (file): hf layers 1e9
-- expect: num_hidden_layers
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local dir = U.hf_dir("hf-layers-1e9", '{"num_hidden_layers":1000000000,"hidden_size":64,"num_attention_heads":4,"intermediate_size":96,"vocab_size":300}')
local m = edgelab.llm.load(dir)
