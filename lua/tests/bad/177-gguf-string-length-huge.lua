-- bad input (file): gguf string length huge
-- expect: general.architecture|truncated
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run = edgelab.lab.run {}
local path = U.gguf_patch("general.architecture", string.pack("<I8", 1 << 62))
local m = edgelab.llm.load(path)
