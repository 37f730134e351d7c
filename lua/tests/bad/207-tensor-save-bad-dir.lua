-- bad input (file): tensor save bad dir
-- expect: cannot
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
edgelab.tensor.save("/proc/none/x.safetensors", { w = edgelab.tensor.zeros({ 2 }) })
