-- bad input (file): gguf bad magic
-- expect: magic
-- needs: model
local edgelab = require "edgelab"
local U = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "_util.lua")
local run <close> = edgelab.lab.run {}
local path = U.write(U.tmp("bad-magic.gguf"), "FUGG" .. string.rep("\0", 64))
local m = edgelab.llm.load(path)
