-- edgelab.report: small shared helpers for the paper scripts (experiments/paper/*.lua, experiments/demo.lua):
-- asset checks that skip cleanly in smoke runs, the learning-curve protocol of PPO vs WM-PPO (one function so
-- every figure trains and evaluates agents the same way), steps-to-threshold, and relative changes.
--   local report = require "edgelab.report"
local M = {}

--- True when `path` can be opened for reading.
function M.exists(path)
  local f = io.open(path, "rb")
  if f then f:close() return true end
  return false
end

--- Checks that the asset files exist. When one is missing: in a smoke run prints "<script>: ... skipped" and
--- returns false (the caller returns); otherwise raises an error telling the user to run `edgelab fetch`.
---@param script string short name for the message
---@param paths string[]
---@return boolean ok
function M.need_assets(script, paths)
  local edgelab = require "edgelab"
  for _, p in ipairs(paths) do
    if not M.exists(p) then
      if edgelab.session.smoke then
        print(("%s: asset %s not found; skipped (run `edgelab fetch`)"):format(script, p))
        return false
      end
      error(("%s: asset %s not found: run `edgelab fetch` first"):format(script, p), 2)
    end
  end
  return true
end

--- Values of column `k` of a list of rows (rows missing it are skipped).
function M.col(rows, k)
  local t = {}
  for _, r in ipairs(rows) do if r[k] ~= nil then t[#t + 1] = r[k] end end
  return t
end

--- Relative change of `x` against the reference `ref`, in percent of |ref| (negative = smaller).
function M.change_pct(x, ref)
  if ref == nil or x == nil or ref == 0 then return 0 / 0 end
  return 100 * (x - ref) / math.abs(ref)
end

--- The "90% of the reference's final return" threshold for returns that are negative costs: a run reaches it
--- when its cost is within 1/0.9 of the reference cost (return ≥ Rf/0.9); for positive returns 0.9·Rf.
function M.threshold(Rf, frac)
  frac = frac or 0.9
  return Rf < 0 and Rf / frac or frac * Rf
end

--- First step whose 3-point forward mean (this evaluation and the next two) is ≥ thr; `budget` (and false)
--- when never reached (a censored run).
---@param curve {[1]: integer, [2]: number}[] (step, return) pairs in step order
function M.steps_to(curve, thr, budget)
  for i = 1, #curve do
    local s, n = 0, 0
    for j = i, math.min(i + 2, #curve) do s = s + curve[j][2]; n = n + 1 end
    if s / n >= thr then return curve[i][1], true end
  end
  return budget, false
end

--- Area under the learning curve (trapezoid over steps), normalised by the step range: the mean return
--- over training, a threshold-free convergence-speed summary.
function M.auc(curve)
  if #curve < 2 then return curve[1] and curve[1][2] or 0 / 0 end
  local a = 0
  for i = 2, #curve do a = a + (curve[i][1] - curve[i - 1][1]) * (curve[i][2] + curve[i - 1][2]) / 2 end
  return a / (curve[#curve][1] - curve[1][1])
end

--- Mean shortfall of a learning curve below `level`: the trapezoid area of max(0, level − return) over the
--- evaluations at steps ≥ `from` (default: all but the first point), divided by that step range. A
--- threshold-free speed measure that cannot saturate at the first evaluation: a curve that is another one
--- compressed k-fold in steps has about 1/k of its shortfall (when both reach `level` within the budget).
---@param curve {[1]: integer, [2]: number}[] (step, return) pairs in step order
---@param level number
---@param from? integer
function M.shortfall(curve, level, from)
  local pts = {}
  from = from or (curve[2] and curve[2][1]) or 0
  for _, c in ipairs(curve) do if c[1] >= from then pts[#pts + 1] = c end end
  local function gap(v) return math.max(0, level - v) end
  if #pts == 0 then return 0 / 0 end
  if #pts == 1 then return gap(pts[1][2]) end
  local a = 0
  for i = 2, #pts do a = a + (pts[i][1] - pts[i - 1][1]) * (gap(pts[i][2]) + gap(pts[i - 1][2])) / 2 end
  return a / (pts[#pts][1] - pts[1][1])
end

--- Trains one agent and records its deterministic-evaluation learning curve.
---@param o {kind: "ppo"|"wmppo", env: any, seed: integer, steps: integer, every: integer, eval_seeds: integer[],
---         final_seeds: integer[], num_envs?: integer, num_steps?: integer, wm?: table, on_eval?: fun(step, stats)}
---@return {[1]: integer, [2]: number}[] curve, table final_metrics, number wall_seconds, number cpu_seconds
function M.train_curve(o)
  local rl = require("edgelab").rl
  local opts = { env = o.env, seed = o.seed, total_steps = o.steps, num_envs = o.num_envs, num_steps = o.num_steps }
  if o.kind == "wmppo" then opts.wm = o.wm or {} end
  local agent = rl[o.kind](opts)
  local curve = {}
  local function rec(step, s)
    curve[#curve + 1] = { step, s.mean_return }
    if o.on_eval then o.on_eval(step, s) end
  end
  rec(0, agent:evaluate(o.env, { episodes = 1, seeds = o.eval_seeds }))
  local clock = require("edgelab").clock
  local t0, c0 = clock(), os.clock()
  agent:train(o.steps, { every = o.every, eval_seeds = o.eval_seeds, on_eval = rec })
  local wall, cpu = clock() - t0, os.clock() - c0
  local final = agent:evaluate(o.env, { episodes = 1, seeds = o.final_seeds })
  return curve, final, wall, cpu, agent
end

--- "mean [lo, hi]" with a format.
function M.ci_text(m, lo, hi, fmt)
  fmt = fmt or "%.2f"
  return (fmt .. " [" .. fmt .. ", " .. fmt .. "]"):format(m, lo, hi)
end

--- The 1-minute load average (from /proc/loadavg), or nil.
function M.loadavg()
  local f = io.open("/proc/loadavg", "r")
  if not f then return nil end
  local s = f:read("l"); f:close()
  return tonumber(s:match("^(%S+)"))
end

--- This machine's CPU as "model name (widest SIMD level)" from /proc/cpuinfo, or "unknown": recorded beside
--- results that are combined across machines (dense F32 products go through OpenBLAS, whose kernels and so whose
--- last bits depend on the CPU; the quantized kernels do not, decision 0002).
function M.machine()
  local f = io.open("/proc/cpuinfo", "r")
  if not f then return "unknown" end
  local text = f:read("a")
  f:close()
  local model = text:match("model name%s*:%s*([^\n]+)") or "unknown CPU"
  local flags = " " .. (text:match("flags%s*:%s*([^\n]+)") or "") .. " "
  local simd = flags:find(" avx512_vnni ", 1, true) and "AVX-512 VNNI" or flags:find(" avx512f ", 1, true) and "AVX-512"
               or flags:find(" avx2 ", 1, true) and "AVX2" or "no AVX2"
  return ("%s (%s)"):format((model:gsub("%s+$", "")), simd)
end

--- The data root for the evaluation suite: edgelab.session.data_dir ($EDGELAB_DATA, else <assets>/data where
--- <assets> is $EDGELAB_ASSETS or the repository's assets/ folder) — the same root eval.run uses by default.
function M.data_dir()
  return require("edgelab").session.data_dir
end

--- The asset files the evaluation suite reads (checked by scripts that run eval.run).
function M.eval_assets()
  local d = M.data_dir()
  return { d .. "/bigbench/general_knowledge/task.json", d .. "/halueval/dataset_halueval_qa.jsonl" }
end

--- One ECLD variant of `model` through edgelab.compress.pipeline: spec = { prune_ffn?, prune_heads?, recovery?
--- ("none"|"refit"|"distill"|"refit+distill"), distill_steps?, quant? ("q8_0"|"q4_1"|"q4_0"|…), method?
--- ("rtn"|"gptq"), calib? (calibration windows), calib_len? (tokens per window) }.
--- Returns the compressed model (an edgelab.LLM) and the pipeline's info table (bytes = deployed weight bytes:
--- pass it as eval.run's storage_bytes). The one place that maps the paper scripts' variant specs onto the
--- Compression module's Lua options.
function M.ecld(model, spec)
  local compress = require("edgelab").compress
  if not compress then error("edgelab.compress is not available in this build", 2) end
  local opts = { calibration_windows = spec.calib, calibration_length = spec.calib_len }
  if spec.prune_ffn or spec.prune_heads then
    opts.prune = { ffn_ratio = spec.prune_ffn or 0, head_ratio = spec.prune_heads or 0 }
    opts.recovery = spec.recovery or "none"
    if spec.distill_steps then opts.distill = { steps = spec.distill_steps } end
  end
  if spec.quant then opts.quantize = { type = spec.quant, method = spec.method or "rtn" } end
  return compress.pipeline(model, opts)
end

--- Learning curves as costs: the untrained policy's return is orders of magnitude below the rest, so a linear
--- return axis shows one cliff and a flat line. This plots cost = −return for evaluations after step 0, on a log
--- axis when every cost is positive (linear otherwise), with a 95% band over `band` (default "seed").
---@param run edgelab.Run
---@param o {csv: string, by: string, file: string, title: string, band?: string, y?: string}
function M.cost_curves(run, o)
  local lab = require("edgelab").lab
  local y = o.y or "mean_return"
  local rows, pos = {}, true
  for _, r in ipairs((lab.read_csv(run.dir .. "/" .. o.csv))) do
    if r.step and r.step > 0 and r[y] then
      r.cost = -r[y]
      pos = pos and r.cost > 0
      rows[#rows + 1] = r
    end
  end
  if #rows == 0 then return end
  return run:plot { data = rows, x = "step", y = "cost", by = o.by, band = o.band or "seed", logy = pos,
                    file = o.file, title = o.title, xlabel = "env steps",
                    ylabel = pos and "evaluation cost = −return (log)" or "evaluation cost = −return" }
end

return M
