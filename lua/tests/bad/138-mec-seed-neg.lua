-- bad input (conversion): mec seed neg
-- expect: seed
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local env = edgelab.mec.env { seed = -1 }
