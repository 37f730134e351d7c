-- edgelab: the module researchers `require`. Pure-Lua helpers (grid, stats, sorted_pairs) plus every
-- Swift-implemented submodule registered by the host (edgelab.lab, edgelab.rng, edgelab.mec, ...).
local M = { version = "0.1.0" }

---------------------------------------------------------------------------------------------------------
-- sorted_pairs: deterministic iteration (Lua randomises string hashing, so never depend on `pairs` order)
---------------------------------------------------------------------------------------------------------

-- Numbers before strings, then booleans and the rest by tostring; each group ascending.
local rank = { number = 1, string = 2, boolean = 3 }
local function keycmp(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then return (rank[ta] or 9) < (rank[tb] or 9) end
  if ta == "number" or ta == "string" then return a < b end
  return tostring(a) < tostring(b)
end
M.keycmp = keycmp

--- Iterates a table in sorted key order (optionally with a comparison function on keys).
function M.sorted_pairs(t, cmp)
  assert(type(t) == "table", "sorted_pairs: table expected, got " .. type(t))
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, cmp or keycmp)
  local i = 0
  return function()
    i = i + 1
    local k = keys[i]
    if k ~= nil then return k, t[k] end
  end
end

--- Sorted list of a table's keys.
function M.keys(t)
  local ks = {}
  for k in M.sorted_pairs(t) do ks[#ks + 1] = k end
  return ks
end

--- range(n) → {1, ..., n};  range(a, b [, step]) → {a, a + step, ..., <= b}.
function M.range(a, b, step)
  if b == nil then a, b = 1, a end
  step = step or 1
  assert(type(a) == "number" and type(b) == "number" and type(step) == "number" and step ~= 0,
    "range: numbers expected (and a non-zero step)")
  local out = {}
  for v = a, b, step do out[#out + 1] = v end
  return out
end

---------------------------------------------------------------------------------------------------------
-- grid: cartesian product of named value lists
---------------------------------------------------------------------------------------------------------

--- grid{ lr = {1e-3, 3e-4}, agent = {"ppo", "wmppo"} } → { {agent="ppo", lr=1e-3}, {agent="ppo", lr=3e-4}, ... }
--- Keys are taken in sorted order, the first key varying slowest; each list keeps its given order.
--- A scalar value counts as a one-element list. An empty list makes the grid empty.
--- At most M.grid_limit combinations (an error names the count: a typo like {1, 1e9} must not exhaust memory).
M.grid_limit = 1000000
function M.grid(spec)
  assert(type(spec) == "table", "grid: table expected, got " .. type(spec))
  local keys, lists = {}, {}
  for k, v in M.sorted_pairs(spec) do
    if type(k) ~= "string" then error("grid: keys must be strings, got " .. type(k) .. " key", 2) end
    keys[#keys + 1] = k
    if type(v) == "table" then
      local n = 0
      for _ in pairs(v) do n = n + 1 end
      if n ~= #v then error("grid: '" .. k .. "' must be a list (a sequence), not a record", 2) end
      lists[#lists + 1] = v
    else
      lists[#lists + 1] = { v }
    end
  end
  local total = 1
  for i = 1, #lists do total = total * #lists[i] end
  if total > M.grid_limit then
    error(("grid: %.0f combinations exceed the limit of %d (edgelab.grid_limit)"):format(total, M.grid_limit), 2)
  end
  local out = {}
  local function rec(i, acc)
    if i > #keys then
      local p = {}
      for j = 1, #keys do p[keys[j]] = acc[j] end
      out[#out + 1] = p
      return
    end
    for _, v in ipairs(lists[i]) do
      acc[i] = v
      rec(i + 1, acc)
    end
  end
  rec(1, {})
  return out
end

---------------------------------------------------------------------------------------------------------
-- Swift submodules (edgelab.rng, edgelab.lab, ...) registered by the host in package.preload
---------------------------------------------------------------------------------------------------------
local ok, native = pcall(require, "edgelab.native")
if ok then
  M.session = native.session
  M.clock = native.clock   -- monotonic wall seconds (os.clock is CPU time summed over threads)
  for _, name in ipairs(native.modules) do
    if M[name] ~= nil then error("edgelab: submodule '" .. name .. "' clashes with a Lua helper") end
    M[name] = require("edgelab." .. name)
  end
end

return M
