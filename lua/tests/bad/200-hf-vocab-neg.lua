-- bad input (file): hf vocab neg
-- expect: vocab_size
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local dir = U.hf_dir("hf-vocab-neg", '{"num_hidden_layers":2,"hidden_size":64,"num_attention_heads":4,"intermediate_size":96,"vocab_size":-3}')
local m = edgelab.llm.load(dir)
