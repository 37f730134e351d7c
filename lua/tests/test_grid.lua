-- edgelab.grid and sorted_pairs: deterministic order whatever the hash seed.
local edgelab = require "edgelab"

local g = edgelab.grid { lr = { 1e-3, 3e-4 }, agent = { "ppo", "wmppo" }, users = 10 }
assert(#g == 4, "4 points, got " .. #g)
local expect = { { "ppo", 1e-3 }, { "ppo", 3e-4 }, { "wmppo", 1e-3 }, { "wmppo", 3e-4 } }
for i, p in ipairs(g) do
  assert(p.agent == expect[i][1] and p.lr == expect[i][2] and p.users == 10,
    ("point %d: %s %s %s"):format(i, p.agent, p.lr, p.users))
end
assert(#edgelab.grid {} == 1, "empty spec is one empty point")
assert(#edgelab.grid { a = {} } == 0, "an empty list empties the grid")
assert(#edgelab.grid { a = { 1, 2, 3 }, b = { 1, 2 }, c = { 1, 2 } } == 12)
local ok, err = pcall(edgelab.grid, { a = { x = 1 } })
assert(not ok and err:find("must be a list"), err)

local keys = {}
for k, v in edgelab.sorted_pairs { b = 2, a = 1, [3] = "three", [1] = "one", c = 3 } do keys[#keys + 1] = tostring(k) end
assert(table.concat(keys, ",") == "1,3,a,b,c", table.concat(keys, ","))
assert(table.concat(edgelab.keys { z = 1, y = 2 }, ",") == "y,z")

assert(table.concat(edgelab.range(4), ",") == "1,2,3,4")
assert(table.concat(edgelab.range(0, 10, 5), ",") == "0,5,10")
assert(#edgelab.range(0) == 0)
