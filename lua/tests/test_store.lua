-- edgelab.store: values read back equal the values written (bit for bit, integer/float subtype kept); another
-- identity neither reads nor overwrites them.
local store = require "edgelab.store"

local values = { 0.1, 1 / 3, -0.0, 2.0, 7, -3, math.maxinteger, 1e-310, 6.02214076e23, math.huge, -math.huge, 0 / 0,
                 "a \"quoted\"\nline\0with a zero", true, false }
local back = store.decode(store.encode(values))
assert(#back == #values, "array length")
for i, v in ipairs(values) do
  local b = back[i]
  if v ~= v then
    assert(b ~= b, "NaN stays NaN")
  else
    assert(b == v and math.type(b) == math.type(v), ("value %d: %s (%s) read back as %s (%s)"):format(i, tostring(v),
      tostring(math.type(v)), tostring(b), tostring(math.type(b))))
    if type(v) == "number" and math.type(v) == "float" then
      assert(string.pack("d", b) == string.pack("d", v), ("value %d: bits differ"):format(i))
    end
  end
end
assert(1 / back[3] == -math.huge, "negative zero keeps its sign")
local nested = { a = { 1, 2, { x = "y" } }, ["key with spaces"] = 3.5, [1] = "first" }
local n2 = store.decode(store.encode(nested))
assert(n2[1] == "first" and n2.a[3].x == "y" and n2["key with spaces"] == 3.5)
assert(store.encode(nested) == store.encode(n2), "the same value always gives the same text")
assert(not pcall(store.encode, { [2.5] = 1 }), "a non-string key is refused")
assert(not pcall(store.encode, { f = print }), "a function is refused")
assert(store.decode("os.exit(1)") == nil, "a file cannot call anything")

-- A store on disk.
local dir = os.tmpname()
os.remove(dir)
local s = store.open(dir, { model = "m.gguf", seed = 1 })
assert(s:get("v1", "suite") == nil, "nothing kept yet")
s:put("v1", "suite", { acc = 0.25, items = { 1, 0, 1 } })
local got = s:get("v1", "suite")
assert(got.acc == 0.25 and got.items[3] == 1)
assert(s:get("v1", "divergence") == nil, "parts are separate")
assert(store.open(dir, { model = "m.gguf", seed = 1 }):get("v1", "suite").acc == 0.25, "a re-opened store finds it")
local other = store.open(dir, { model = "m.gguf", seed = 2 })
assert(other:get("v1", "suite") == nil, "another identity does not see it")
other:put("v1", "suite", { acc = 0.5 })
assert(s:get("v1", "suite").acc == 0.25, "another identity does not overwrite it")
-- A damaged file reads as missing (recomputed), not as an error.
local f = assert(io.open(s.dir .. "/v1.suite.lua", "wb")); f:write("{ truncated"); f:close()
assert(s:get("v1", "suite") == nil)
os.execute(("rm -rf %q"):format(dir))
