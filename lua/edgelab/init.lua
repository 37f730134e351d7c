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
-- stats
---------------------------------------------------------------------------------------------------------
local stats = {}
M.stats = stats

local function check(xs, fname)
  if type(xs) ~= "table" then error("stats." .. fname .. ": list of numbers expected, got " .. type(xs), 3) end
  for i = 1, #xs do
    if type(xs[i]) ~= "number" then
      error(("stats.%s: element %d is a %s, not a number"):format(fname, i, type(xs[i])), 3)
    end
  end
  return #xs
end

function stats.sum(xs)
  check(xs, "sum")
  local s = 0
  for i = 1, #xs do s = s + xs[i] end
  return s
end

function stats.mean(xs)
  local n = check(xs, "mean")
  if n == 0 then return 0 / 0 end
  -- two-pass (mean of deviations) for accuracy
  local s = 0
  for i = 1, n do s = s + xs[i] end
  local m = s / n
  local c = 0
  for i = 1, n do c = c + (xs[i] - m) end
  return m + c / n
end

--- Sample variance (n - 1 in the denominator); nan for n < 2.
function stats.var(xs)
  local n = check(xs, "var")
  if n < 2 then return 0 / 0 end
  local m = stats.mean(xs)
  local s = 0
  for i = 1, n do s = s + (xs[i] - m) ^ 2 end
  return s / (n - 1)
end

function stats.std(xs) return math.sqrt(stats.var(xs)) end

--- Sorted copy.
function stats.sorted(xs)
  check(xs, "sorted")
  local c = table.move(xs, 1, #xs, 1, {})
  table.sort(c)
  return c
end

--- Quantile with linear interpolation between order statistics (numpy's default, "type 7").
function stats.quantile(xs, q)
  local n = check(xs, "quantile")
  assert(type(q) == "number" and q >= 0 and q <= 1, "stats.quantile: q must be in [0, 1]")
  if n == 0 then return 0 / 0 end
  local s = stats.sorted(xs)
  local h = (n - 1) * q + 1
  local lo = math.floor(h)
  if lo >= n then return s[n] end
  return s[lo] + (h - lo) * (s[lo + 1] - s[lo])
end

function stats.median(xs) return stats.quantile(xs, 0.5) end

--- Interquartile mean: mean of the middle 50% after dropping floor(n/4) values at each end
--- (scipy.stats.trim_mean(x, 0.25), as rliable uses).
function stats.iqm(xs)
  local n = check(xs, "iqm")
  if n == 0 then return 0 / 0 end
  local s = stats.sorted(xs)
  local k = math.floor(n * 0.25)
  local t = {}
  for i = k + 1, n - k do t[#t + 1] = s[i] end
  return stats.mean(t)
end

-- Two-sided 97.5% quantiles of Student's t for df = 1..30.
local t975 = { 12.706204736, 4.302652730, 3.182446305, 2.776445105, 2.570581836, 2.446911851,
  2.364624252, 2.306004135, 2.262157163, 2.228138852, 2.200985160, 2.178812830, 2.160368656,
  2.144786688, 2.131449546, 2.119905299, 2.109815578, 2.100922040, 2.093024054, 2.085963447,
  2.079613845, 2.073873068, 2.068657610, 2.063898562, 2.059538553, 2.055529439, 2.051830516,
  2.048407142, 2.045229642, 2.042272456 }

--- The 97.5% quantile of Student's t with `df` degrees of freedom (table to 30, Cornish-Fisher beyond).
function stats.t975(df)
  assert(df >= 1, "stats.t975: df must be >= 1")
  if df <= 30 and df == math.floor(df) then return t975[df] end
  local z = 1.959963984540054
  local z3, z5, z7 = z ^ 3, z ^ 5, z ^ 7
  return z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df ^ 2)
    + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ^ 3)
end

--- 95% confidence interval of the mean (Student t): returns mean, lo, hi (lo = hi = mean for n = 1).
function stats.ci95(xs)
  local n = check(xs, "ci95")
  local m = stats.mean(xs)
  if n < 2 then return m, m, m end
  local h = stats.t975(n - 1) * stats.std(xs) / math.sqrt(n)
  return m, m - h, m + h
end

--- Percentile bootstrap CI of a statistic. opts: stat = "mean" | "median" | "iqm" | function(xs) (default
--- "mean"), resamples (default 2000), level (default 0.95), seed (default 0; the resampling is seeded,
--- never global). Returns estimate, lo, hi.
function stats.bootstrap_ci(xs, opts)
  local n = check(xs, "bootstrap_ci")
  opts = opts or {}
  for k in pairs(opts) do
    if k ~= "stat" and k ~= "resamples" and k ~= "level" and k ~= "seed" then
      error("stats.bootstrap_ci: unknown option '" .. tostring(k) .. "' (valid: level, resamples, seed, stat)", 2)
    end
  end
  local stat = opts.stat or "mean"
  if type(stat) == "string" then
    stat = assert(stats[stat], "stats.bootstrap_ci: unknown stat '" .. stat .. "'")
  end
  local B = opts.resamples or 2000
  local level = opts.level or 0.95
  local est = stat(xs)
  if n == 0 then return est, est, est end
  local rng = M.rng and M.rng.new(opts.seed or 0)
  local draw
  if rng then
    draw = function() return rng:integer(1, n) end
  else -- plain Lua (no host): a local xorshift stream seeded from opts.seed, never the global generator
    local s = (opts.seed or 0) * 2654435761 + 88172645463325252
    draw = function()
      s = s ~ (s << 13); s = s ~ (s >> 7); s = s ~ (s << 17)
      return (s >> 11) % n + 1
    end
  end
  local vals, buf = {}, {}
  for b = 1, B do
    for i = 1, n do buf[i] = xs[draw()] end
    vals[b] = stat(buf)
  end
  local alpha = (1 - level) / 2
  return est, stats.quantile(vals, alpha), stats.quantile(vals, 1 - alpha)
end

--- A seeded uniform integer draw in 1..n (the host's edgelab.rng when present, else a local xorshift stream;
--- never the global generator).
local function seeded_draw(seed)
  local rng = M.rng and M.rng.new(seed or 0)
  if rng then return function(n) return rng:integer(1, n) end end
  local s = (seed or 0) * 2654435761 + 88172645463325252
  return function(n)
    s = s ~ (s << 13); s = s ~ (s >> 7); s = s ~ (s << 17)
    return (s >> 11) % n + 1
  end
end

local function resolve_stat(stat, who)
  stat = stat or "mean"
  if type(stat) == "string" then stat = assert(stats[stat], "stats." .. who .. ": unknown stat '" .. stat .. "'") end
  return stat
end

local function check_opts(opts, valid, who)
  for k in pairs(opts) do
    if not valid[k] then
      local names = {}
      for n in pairs(valid) do names[#names + 1] = n end
      table.sort(names)
      error(("stats.%s: unknown option '%s' (valid: %s)"):format(who, tostring(k), table.concat(names, ", ")), 3)
    end
  end
end

--- Stratified percentile bootstrap (rliable, Agarwal et al. 2021): each stratum (e.g. one task, or one arm's
--- runs) is resampled with replacement independently, and `stat(resampled_strata)` is recomputed.
--- strata: an array of samples; stat: function(strata) → number (default: IQM of all strata pooled).
--- opts: resamples (2000), level (0.95), seed (0). Returns estimate, lo, hi.
function stats.stratified_bootstrap_ci(strata, stat, opts)
  assert(type(strata) == "table" and #strata >= 1, "stats.stratified_bootstrap_ci: strata must be a non-empty array of samples")
  for i, x in ipairs(strata) do check(x, "stratified_bootstrap_ci (stratum " .. i .. ")") end
  opts = opts or {}
  check_opts(opts, { resamples = true, level = true, seed = true }, "stratified_bootstrap_ci")
  stat = stat or function(ss)
    local all = {}
    for _, x in ipairs(ss) do for _, v in ipairs(x) do all[#all + 1] = v end end
    return stats.iqm(all)
  end
  local B, level = opts.resamples or 2000, opts.level or 0.95
  local est = stat(strata)
  local draw = seeded_draw(opts.seed)
  local vals, bufs = {}, {}
  for i = 1, #strata do bufs[i] = {} end
  for b = 1, B do
    for i, x in ipairs(strata) do
      local n, buf = #x, bufs[i]
      for j = 1, n do buf[j] = x[draw(n)] end
    end
    vals[b] = stat(bufs)
  end
  local kept = {}
  for _, v in ipairs(vals) do if v == v then kept[#kept + 1] = v end end
  if #kept == 0 then return est, 0 / 0, 0 / 0 end
  local alpha = (1 - level) / 2
  return est, stats.quantile(kept, alpha), stats.quantile(kept, 1 - alpha)
end

--- Two-sided permutation test of stat(xs) − stat(ys) (default stat: mean; "iqm", "median" or a function):
--- the labels are shuffled `resamples` times (default 10000, seeded by opts.seed); p = (1 + #{|T*| ≥ |T|}) /
--- (1 + resamples) (Phipson & Smyth 2010: never 0). Returns p, the observed difference.
function stats.permutation_test(xs, ys, opts)
  local nx, ny = check(xs, "permutation_test"), check(ys, "permutation_test")
  assert(nx >= 1 and ny >= 1, "stats.permutation_test: both samples must be non-empty")
  opts = opts or {}
  check_opts(opts, { resamples = true, seed = true, stat = true }, "permutation_test")
  local stat = resolve_stat(opts.stat, "permutation_test")
  local B = opts.resamples or 10000
  local obs = stat(xs) - stat(ys)
  local pool = {}
  for i = 1, nx do pool[i] = xs[i] end
  for i = 1, ny do pool[nx + i] = ys[i] end
  local n = nx + ny
  local draw = seeded_draw(opts.seed)
  local a, b, extreme = {}, {}, 0
  local tol = 1e-12 * math.max(1, math.abs(obs))
  for _ = 1, B do
    for i = n, 2, -1 do local j = draw(i); pool[i], pool[j] = pool[j], pool[i] end
    for i = 1, nx do a[i] = pool[i] end
    for i = 1, ny do b[i] = pool[nx + i] end
    if math.abs(stat(a) - stat(b)) >= math.abs(obs) - tol then extreme = extreme + 1 end
  end
  return (1 + extreme) / (1 + B), obs
end

--- Summary record: n, mean, std, lo, hi (95% t CI), median, iqm, min, max.
function stats.summary(xs)
  local n = check(xs, "summary")
  local m, lo, hi = stats.ci95(xs)
  local s = n > 0 and stats.sorted(xs) or {}
  return { n = n, mean = m, std = n > 1 and stats.std(xs) or 0, lo = lo, hi = hi,
           median = stats.median(xs), iqm = stats.iqm(xs), min = s[1], max = s[n] }
end

---------------------------------------------------------------------------------------------------------
-- Swift submodules (edgelab.rng, edgelab.lab, ...) registered by the host in package.preload
---------------------------------------------------------------------------------------------------------
local ok, native = pcall(require, "edgelab.native")
if ok then
  M.session = native.session
  for _, name in ipairs(native.modules) do
    if M[name] ~= nil then error("edgelab: submodule '" .. name .. "' clashes with a Lua helper") end
    M[name] = require("edgelab." .. name)
  end
end

return M
