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
assert(stats.mean({}) ~= stats.mean({}), "mean of empty is nan")
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

-- permutation test: {1,2,3} vs {4,5,6}; of the 20 equally likely splits exactly 2 have |Δmean| ≥ 3, so the
-- exact two-sided p is 0.1 (Monte Carlo with 20000 shuffles: within 3 standard errors ≈ 0.0064)
local p, d = stats.permutation_test({ 1, 2, 3 }, { 4, 5, 6 }, { seed = 1, resamples = 20000 })
near(d, -3, 1e-12, "observed difference")
near(p, 0.1, 0.0064, "permutation p vs exact enumeration")
local p2 = stats.permutation_test({ 1, 2, 3 }, { 1, 2, 3 }, { seed = 2, resamples = 200 })
near(p2, 1, 0, "identical samples: p = 1")
local p3 = stats.permutation_test({ 1, 2, 3, 4 }, { 4, 5, 6, 7 }, { seed = 3, resamples = 2000, stat = "iqm" })
-- exact: Δ IQM = −3 (2.5 − 5.5); of the 70 splits, 4 reach |Δ| ≥ 3 ({1,2,3,4} or {4,5,6,7} on either
-- side, each with either of the two 4s) → 4/70
near(p3, 4 / 70, 0.016, "permutation p with the IQM")
assert(not pcall(stats.permutation_test, { 1 }, { 2 }, { reps = 3 }))

-- stratified bootstrap: strata resampled independently. A constant stratum keeps its value in every
-- resample, so the ratio of two strata's means has the spread of the other stratum alone.
local e, lo3, hi3 = stats.stratified_bootstrap_ci({ { 2, 2, 2, 2 }, data },
  function(ss) return stats.mean(ss[2]) / stats.mean(ss[1]) end, { seed = 5, resamples = 500 })
local em, blo, bhi = stats.bootstrap_ci(data, { seed = 5, resamples = 500 })
near(e, em / 2, 1e-12, "stratified estimate")
assert(lo3 < e and e < hi3)
near(hi3 - lo3, (bhi - blo) / 2, 0.25 * (bhi - blo), "spread of the varying stratum only")
-- default statistic: IQM of the pooled strata
local ei = stats.stratified_bootstrap_ci({ { 1, 2 }, { 3, 4, 5, 6, 7, 8 } }, nil, { resamples = 10 })
near(ei, 4.5, 0, "pooled IQM")
