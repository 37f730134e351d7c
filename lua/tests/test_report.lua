-- edgelab.report helpers against hand computations.
local report = require "edgelab.report"
local function near(a, b, what) assert(math.abs(a - b) <= 1e-12, ("%s: %.12g vs %.12g"):format(what, a, b)) end

-- Shortfall below level 10 over steps 1000..3000 (step 0 dropped by default): gaps 6, 2, 0 →
-- trapezoids (6+2)/2·1000 + (2+0)/2·1000 = 5000 over 2000 steps = 2.5.
local curve = { { 0, -50 }, { 1000, 4 }, { 2000, 8 }, { 3000, 12 } }
near(report.shortfall(curve, 10), 2.5, "shortfall")
-- From step 0: gaps 60, 6, 2, 0 → (33 + 4 + 1)·1000 / 3000.
near(report.shortfall(curve, 10, 0), 38000 / 3000, "shortfall from step 0")
-- A faster curve (12 from step 2000 on): less shortfall.
local fast = { { 0, -50 }, { 1000, 6 }, { 2000, 12 }, { 3000, 12 } }
near(report.shortfall(fast, 10), (4 + 0) / 2 * 1000 / 2000, "faster curve")
-- Above the level everywhere: 0; negative returns (costs) work the same way.
near(report.shortfall({ { 0, 0 }, { 1, 20 }, { 2, 30 } }, 10), 0, "never short")
near(report.shortfall({ { 0, -900 }, { 10, -120 }, { 20, -100 } }, -100), 10, "costs")
