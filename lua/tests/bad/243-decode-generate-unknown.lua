-- bad input (decoder): decode generate unknown
-- expect: max_token
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local model = edgelab.llm.load(U.model())
local t = model:generate("hi", { max_token = 4 })
