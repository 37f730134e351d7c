-- The host hands the session to Lua; math.random is seeded from it; rng streams are reproducible.
local edgelab = require "edgelab"
assert(type(edgelab.session) == "table", "edgelab.session")
assert(math.type(edgelab.session.seed) == "integer")
assert(type(edgelab.session.smoke) == "boolean")
assert(type(edgelab.session.overrides) == "table")
local r = edgelab.rng.root()
assert(r.seed == edgelab.session.seed)
local a, b = edgelab.rng.new(9):split("env"), edgelab.rng.new(9):split("env")
for _ = 1, 10 do assert(a:poisson(3.5) == b:poisson(3.5)) end
local ok, err = pcall(edgelab.rng.new, -1)
assert(not ok and err:find("seed must be >= 0"), err)
