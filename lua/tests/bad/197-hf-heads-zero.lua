-- bad input (file): hf heads zero
-- expect: num_attention_heads
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local dir = U.hf_dir("hf-heads-zero", '{"num_hidden_layers":2,"hidden_size":64,"num_attention_heads":0,"intermediate_size":96,"vocab_size":300}')
local m = edgelab.llm.load(dir)
