-- bad input (lifecycle): model eval after close
-- expect: used after close
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local model = edgelab.llm.load(U.model())
model:close()
local r = edgelab.eval.run(model, edgelab.eval.suite {})
