-- edgelab.stats against hand-computed values (numpy/scipy conventions).
local stats = require("edgelab").stats
local function near(a, b, tol, what)
  assert(math.abs(a - b) <= (tol or 1e-9), ("%s: %.12g vs %.12g"):format(what or "value", a, b))
end

local xs = { 1, 2, 3, 4 }
near(stats.mean(xs), 2.5, 0, "mean")
near(stats.var(xs), 5 / 3, 1e-12, "var (n-1)")
near(stats.std(xs), 1.2909944487358056, 1e-12, "std")
local m, lo, hi = stats.ci95(xs)                 -- t(0.975, 3) = 3.182446305
near(m, 2.5, 0, "ci mean")
near(lo, 0.4457397434226116, 1e-8, "ci lo")
near(hi, 4.554260256577388, 1e-8, "ci hi")
near(stats.quantile(xs, 0.25), 1.75, 1e-12, "quantile type 7")
near(stats.median({ 5, 1, 3 }), 3, 0, "median odd")
near(stats.median(xs), 2.5, 0, "median even")
near(stats.iqm({ 1, 2, 3, 4, 5, 6, 7, 8 }), 4.5, 0, "iqm drops 2 each side")
near(stats.iqm({ 1, 2, 3, 100 }), 2.5, 0, "iqm robust to the outlier")
near(stats.t975(40), 2.0210747620835976, 1e-4, "t975(40)")   -- scipy: 2.021075
near(stats.t975(100), 1.983971519, 1e-5, "t975(100)")
local okempty, errempty = pcall(stats.mean, {})
assert(not okempty and errempty:find("at least 1 value"), "mean of an empty list is an error: " .. tostring(errempty))
local one, l1, h1 = stats.ci95({ 7 })
assert(one == 7 and l1 == 7 and h1 == 7)

-- bootstrap: seeded (same seed, same interval), brackets the estimate, degenerate data gives a point
local data = {}
for i = 1, 40 do data[i] = (i * 37 % 11) + 0.5 * (i % 3) end
local e1, a1, b1 = stats.bootstrap_ci(data, { seed = 3, resamples = 500 })
local e2, a2, b2 = stats.bootstrap_ci(data, { seed = 3, resamples = 500 })
local _, a3, b3 = stats.bootstrap_ci(data, { seed = 4, resamples = 500 })
assert(a1 == a2 and b1 == b2, "same seed, same interval")
assert(a1 ~= a3 or b1 ~= b3, "different seed, different resamples")
assert(a1 < e1 and e1 < b1, ("interval brackets the mean: %g < %g < %g"):format(a1, e1, b1))
local _, tlo, thi = stats.ci95(data)
assert(math.abs((b1 - a1) - (thi - tlo)) < 0.35 * (thi - tlo), "bootstrap width close to the t interval")
local _, c1, c2 = stats.bootstrap_ci({ 2, 2, 2 }, { stat = "median", resamples = 50 })
assert(c1 == 2 and c2 == 2)
local ok, err = pcall(stats.bootstrap_ci, data, { sede = 1 })
assert(not ok and err:find("unknown option 'sede'"), err)
local ok2, err2 = pcall(stats.mean, { 1, "x" })
assert(not ok2 and err2:find("element 2"), err2)

local s = stats.summary(xs)
assert(s.n == 4 and s.mean == 2.5 and s.min == 1 and s.max == 4 and s.median == 2.5)

-- stratified bootstrap and permutation test (the Swift Statistics module; checked against references there)
local est, slo, shi = stats.stratified_bootstrap_ci({ { 1, 2, 3, 4, 5, 6, 7, 8 }, { 10, 11, 9, 12 } }, { seed = 2, resamples = 300 })
assert(slo < est and est < shi, ("stratified interval brackets the IQM: %g %g %g"):format(slo, est, shi))
local d, p = stats.permutation_test({ 3.1, 4.2, 5.0, 4.8, 3.9 }, { 2.0, 2.5, 3.3, 1.9, 2.8 }, { seed = 1, permutations = 4000 })
near(d, 1.7, 1e-12, "permutation difference of means")
assert(p > 0 and p < 0.05, "clearly separated samples: p = " .. p)
local _, lo_f, hi_f = stats.bootstrap_ci(data, { stat = function(v) return stats.mean(v) end, seed = 3, resamples = 200 })
assert(lo_f < hi_f, "a Lua function works as the statistic")
