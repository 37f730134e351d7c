-- bad input (file): hf hidden frac
-- expect: hidden_size
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local dir = U.hf_dir("hf-hidden-frac", '{"num_hidden_layers":2,"hidden_size":64.5,"num_attention_heads":4,"intermediate_size":96,"vocab_size":300}')
local m = edgelab.llm.load(dir)
