-- edgelab.ecld (equal-bytes comparison helpers) against hand cases.
local ecld = require "edgelab.ecld"
local function near(a, b, what) assert(math.abs(a - b) <= 1e-12, ("%s: %.12g vs %.12g"):format(what, a, b)) end

-- Paired difference: mean of a − b; a constant shift has a zero-width interval whatever the per-unit spread.
local a, b = { 1.0, 5.0, 2.0, 9.0 }, { 0.5, 4.5, 1.5, 8.5 }
local d = ecld.paired(a, b, { seed = 1, resamples = 200 })
near(d.mean, 0.5, "paired mean")
near(d.lo, 0.5, "paired lo"); near(d.hi, 0.5, "paired hi")
assert(d.n == 4)
-- Same seed ⇒ same interval; the interval brackets the mean.
local x, y = { 1, 0, 1, 1, 0, 1, 1, 1 }, { 0, 0, 1, 0, 0, 1, 0, 1 }
local d1, d2 = ecld.paired(x, y, { seed = 7, resamples = 300 }), ecld.paired(x, y, { seed = 7, resamples = 300 })
assert(d1.lo == d2.lo and d1.hi == d2.hi, "same seed, same interval")
near(d1.mean, 3 / 8, "mean of item differences")
assert(d1.lo <= d1.mean and d1.mean <= d1.hi)
-- Units must match.
assert(not pcall(ecld.paired, { 1, 2 }, { 1 }), "length mismatch is an error")

-- Calls: lower-is-better metric (KLD) and higher-is-better (accuracy).
assert(ecld.call({ lo = -0.2, hi = -0.1 }, true) == "better")
assert(ecld.call({ lo = -0.2, hi = -0.1 }, false) == "worse")
assert(ecld.call({ lo = 0.1, hi = 0.3 }, true) == "worse")
assert(ecld.call({ lo = -0.1, hi = 0.3 }, true) == "equal")
-- a margin: the interval must clear ±margin for a call
assert(ecld.call({ lo = -0.2, hi = -0.1 }, true, 0.05) == "better")
assert(ecld.call({ lo = -0.2, hi = -0.1 }, true, 0.1) == "equal")
assert(ecld.call({ lo = 0.06, hi = 0.2 }, false, 0.05) == "better")
assert(ecld.call({ lo = 0.06, hi = 0.2 }, false, 0.1) == "equal")
assert(ecld.call({ lo = 0.11, hi = 0.2 }, true, 0.1) == "worse")
assert(not pcall(ecld.call, { lo = 0, hi = 1 }, true, -1), "a negative margin is an error")
assert(not pcall(ecld.call, { lo = 0, hi = 1 }, true, 0 / 0), "a NaN margin is an error")
do
  local ok, err = pcall(ecld.call, { lo = 0, hi = 1 }, true, "0.1")
  assert(not ok and tostring(err):find("margin must be a number", 1, true), "a string margin gets the clear error: " .. tostring(err))
end
assert(ecld.verdict { "better", "equal" } == "better")
assert(ecld.verdict { "worse", "equal", "equal" } == "worse")
assert(ecld.verdict { "better", "worse" } == "mixed")
assert(ecld.verdict { "equal", "equal" } == "equal")

-- Bands: half-open intervals.
local label, i = ecld.band(30, { 20, 30, 40 })
assert(label == "[30, 40)" and i == 2, label)
assert(ecld.band(40, { 20, 30, 40 }) == nil)

-- Comparator: the best point at ≤ bytes; else the smallest larger one, flagged.
local q = { { bytes = 100, kld = 0.1 }, { bytes = 80, kld = 0.3 }, { bytes = 70, kld = 0.2 }, { bytes = 120, kld = 0.05 } }
local c, larger = ecld.comparator(q, 85, "kld")
assert(c.bytes == 70 and not larger)
c, larger = ecld.comparator(q, 60, "kld")
assert(c.bytes == 70 and larger)
c, larger = ecld.comparator({}, 60, "kld")
assert(c == nil and not larger)
-- The next step above: the smallest larger point, of equal sizes the lower key.
assert(ecld.next_larger(q, 85, "kld").bytes == 100)
assert(ecld.next_larger(q, 100, "kld").bytes == 120)
assert(ecld.next_larger(q, 120, "kld") == nil)
local tie = ecld.next_larger({ { bytes = 90, kld = 0.4 }, { bytes = 90, kld = 0.2 }, { bytes = 95, kld = 0.1 } }, 85, "kld")
assert(tie.bytes == 90 and tie.kld == 0.2)

-- The figure's store identity: every option a score depends on; the model by its file name, wherever the checkout is.
local store = require "edgelab.store"
local cfg = { model = "/a/assets/models/m.gguf", seed = 1, items = 0, halueval = 500, truthfulqa = 0, kld_tokens = 50000,
              kld_context = 256, bootstrap = 1000, kd_batch = 4, kd_length = 128, kd_windows = 256, kd_lr = 1e-4,
              kd_source = "teacher", calib_len = 256, refit_windows = 400, gptq_windows = 64, act_order = true }
local id1 = store.encode(ecld.score_identity(cfg, false))
cfg.model = "elsewhere/assets/models/m.gguf"
assert(store.encode(ecld.score_identity(cfg, false)) == id1, "the checkout's location is not part of the identity")
assert(store.encode(ecld.score_identity(cfg, true)) ~= id1, "smoke runs have their own identity")
cfg.refit_windows = 128
assert(store.encode(ecld.score_identity(cfg, false)) ~= id1, "a building option is part of the identity")
cfg.act_order = nil
assert(not pcall(ecld.score_identity, cfg, false), "a missing option is an error")
print("test_ecld: ok")
