-- bad input (value): mec rho nan
-- expect: rho
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local env = edgelab.mec.env { rho = 0/0 }
