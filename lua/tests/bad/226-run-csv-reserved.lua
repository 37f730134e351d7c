-- bad input (lifecycle): run csv reserved
-- expect: manifest.json
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local w = run:csv("manifest.json", { "x" })
