-- bad input (size): mec users neg
-- expect: users
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local env = edgelab.mec.env { users = -1 }
