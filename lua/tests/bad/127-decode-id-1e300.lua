-- bad input (conversion): decode id 1e300
-- expect: token id
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local model = edgelab.llm.load(U.model())
local s = model:decode({ 1e300 })
