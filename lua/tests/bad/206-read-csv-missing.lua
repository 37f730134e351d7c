-- bad input (file): read csv missing
-- expect: missing.csv
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local rows = edgelab.lab.read_csv(U.tmp("missing.csv"))
