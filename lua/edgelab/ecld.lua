-- edgelab.ecld: the equal-bytes comparison of ECLD against quantization-only (experiments/paper/fig_ecld_pareto.lua).
--   local ecld = require "edgelab.ecld"
-- Paired difference: d_i = a_i − b_i over units measured on both variants (per held-out window for KLD /
-- same-top-token / NLL, per item for accuracy and hallucination); mean(d) with a percentile bootstrap interval
-- of the mean over units (stats.bootstrap_ci, the Statistics module). Pairing removes the between-unit variance
-- that independent intervals carry (Efron & Tibshirani 1993, ch. 6 and 16), which is what lets close variants
-- separate. A call on one metric: "better" when the interval lies entirely on the good side of 0, "worse" when it
-- lies entirely on the bad side, "equal" otherwise (not separated at the interval's level).
local M = {}

--- Paired bootstrap of mean(a − b): {mean, lo, hi, n}. `a` and `b` must have the same length (the same units).
---@param a number[]
---@param b number[]
---@param o? {resamples?: integer, seed?: integer, level?: number}
function M.paired(a, b, o)
  o = o or {}
  if #a ~= #b then error(("ecld.paired: %d vs %d values (the variants must be measured on the same units)"):format(#a, #b), 2) end
  if #a == 0 then error("ecld.paired: no values", 2) end
  local d = {}
  for i = 1, #a do d[i] = a[i] - b[i] end
  local mean, lo, hi = require("edgelab").stats.bootstrap_ci(d, { stat = "mean", resamples = o.resamples or 1000,
                                                                  seed = o.seed or 0, level = o.level or 0.95 })
  return { mean = mean, lo = lo, hi = hi, n = #d }
end

--- "better" | "worse" | "equal" for a paired difference (ECLD − baseline) of a metric where lower (or higher) is better.
--- `margin` (≥ 0, default 0): the interval must clear ±margin, not just 0, for a call — the noise the interval does
--- not count (for the suite, how much re-making a GPTQ point moves it; decision 0716).
---@param d {lo: number, hi: number}
---@param lower_is_better boolean
---@param margin number?
function M.call(d, lower_is_better, margin)
  margin = margin or 0
  if type(margin) ~= "number" or not (margin >= 0) then
    error("ecld.call: margin must be a number >= 0, got " .. tostring(margin), 2)
  end
  if d.hi < -margin then return lower_is_better and "better" or "worse" end
  if d.lo > margin then return lower_is_better and "worse" or "better" end
  return "equal"
end

--- One verdict from the per-metric calls: "better" when some metric is better and none worse, "worse" when some
--- is worse and none better, "mixed" when both occur, "equal" when no metric separates.
---@param calls string[]
function M.verdict(calls)
  local better, worse = false, false
  for _, c in ipairs(calls) do
    better = better or c == "better"
    worse = worse or c == "worse"
  end
  if better and worse then return "mixed" end
  if better then return "better" end
  if worse then return "worse" end
  return "equal"
end

--- The band a size falls in: edges ascending; returns the label "[lo, hi)" and the band index, or nil outside.
---@param x number
---@param edges number[]
function M.band(x, edges)
  for i = 1, #edges - 1 do
    if x >= edges[i] and x < edges[i + 1] then return ("[%g, %g)"):format(edges[i], edges[i + 1]), i end
  end
  return nil
end

--- The frontier's next step above an ECLD point: the smallest `quant` point with bytes > `bytes` (of equal sizes,
--- the one with the lowest `key`), or nil. Reported beside the comparator, so a win over the step below is read
--- against what a little more storage buys.
---@param quant table[] rows with .bytes and the key
---@param bytes number
---@param key string metric, lower is better
function M.next_larger(quant, bytes, key)
  local next_
  for _, q in ipairs(quant) do
    if q.bytes > bytes and (not next_ or q.bytes < next_.bytes or (q.bytes == next_.bytes and q[key] < next_[key])) then
      next_ = q
    end
  end
  return next_
end

--- The comparator of an ECLD point on the quantization-only frontier: among `quant` points with bytes ≤ `bytes`,
--- the one with the lowest `key`; when there is none, M.next_larger's point (flagged larger = true: an ECLD
--- point that beats a larger point also beats every point of its size, a loss to it says nothing at equal bytes).
---@param quant table[] rows with .bytes and the key
---@param bytes number
---@param key string metric, lower is better
function M.comparator(quant, bytes, key)
  local best
  for _, q in ipairs(quant) do
    if q.bytes <= bytes and (not best or q[key] < best[key]) then best = q end
  end
  if best then return best, false end
  local larger = M.next_larger(quant, bytes, key)
  return larger, larger ~= nil
end

local function split(s, sep) local t = {} for p in s:gmatch("[^" .. sep .. "]+") do t[#t + 1] = p end return t end

--- Pruning options of a recipe string: "ffn=0.1,heads=0.34,layers=2" → {ffn_ratio=, head_ratio=, drop_layers=}.
---@param s string
function M.recipe(s)
  local o = {}
  for _, kv in ipairs(split(s, ",")) do
    local k, v = kv:match("^(%w+)=([%d%.]+)$")
    local key = ({ ffn = "ffn_ratio", heads = "head_ratio", layers = "drop_layers" })[k or ""]
    if not key then error(("ecld.recipe: bad recipe '%s' (ffn=, heads=, layers=)"):format(s), 2) end
    o[key] = key == "drop_layers" and math.tointeger(tonumber(v)) or tonumber(v)
  end
  return o
end

--- A recipe string as a file-name tag: "ffn=0.1,layers=2" → "ffn01-layers2".
---@param s string
function M.tag(s) return (s:gsub("=", ""):gsub(",", "-"):gsub("%.", "")) end

--- Structured pruning by a recipe string with `recovery` ("none" | "refit") fitted on `windows` × `length`
--- calibration tokens: compress.prune's model and info.
---@param base any edgelab.LLM
---@param recipe string
---@param recovery string
---@param windows integer
---@param length integer
function M.prune(base, recipe, recovery, windows, length)
  local o = M.recipe(recipe)
  o.recovery, o.calibration_windows, o.calibration_length = recovery, windows, length
  return require("edgelab").compress.prune(base, o)
end

--- Logit distillation on a token budget: compress.distill with steps = ceil(tokens / (batch_size × length)), at
--- least 1, and `checkpoint_every` clipped to the steps; every other field of `o` is passed on. Returns the
--- student, compress.distill's info and the steps.
---@param teacher any edgelab.LLM
---@param student any edgelab.LLM
---@param o table compress.distill options with `tokens` instead of `steps`
function M.distill(teacher, student, o)
  local steps = math.max(1, math.ceil(o.tokens / (o.batch_size * o.length)))
  local opts = {}
  for k, v in pairs(o) do if k ~= "tokens" then opts[k] = v end end
  opts.steps = steps
  if opts.checkpoint_every then opts.checkpoint_every = math.min(opts.checkpoint_every, steps) end
  local model, info = require("edgelab").compress.distill(teacher, student, opts)
  return model, info, steps
end

--- Paired differences (a − b) of two eval.divergence results on the same windows: {kld, same_top, nll}, each as
--- M.paired returns it.
---@param a table one eval.divergence entry
---@param b table another, on the same text and windows
---@param o? {resamples?: integer, seed?: integer}
function M.paired_windows(a, b, o)
  return { kld = M.paired(a.window_kld, b.window_kld, o), same_top = M.paired(a.window_same_top_token, b.window_same_top_token, o),
           nll = M.paired(a.window_nll, b.window_nll, o) }
end

--- The KD checkpoint file of an ECLD student: its name records what the student depends on besides what the
--- Distiller checks itself (seed, batch, windows, schedule, loss): the model file, the recipe and the refit
--- calibration. Scripts that build the same student share its checkpoints through the same `dir`.
---@param dir string
---@param o {model: string, recipe: string, refit_windows: integer, calib_len: integer, kd_tokens: integer, source: string}
function M.checkpoint(dir, o)
  local model = o.model:match("([^/]+)$"):gsub("%.gguf$", "")
  return ("%s/%s-%s-refit%dx%d-kd%d-%s.ckpt"):format(dir, model, M.tag(o.recipe), o.refit_windows, o.calib_len,
                                                    o.kd_tokens, o.source)
end

--- The ECLD student of experiments/paper/fig_ecld_pareto.lua: `pruned` (recipe `recipe`, refit as `cfg` says)
--- distilled from `base` on `kd_tokens` tokens with the figure's KD options (cfg.kd_batch, kd_length, kd_windows,
--- kd_lr, kd_source, seed, kd_checkpoint_every), checkpointed and resumed under M.checkpoint's name in `dir` — so
--- every script that builds it shares the same checkpoints. Returns the student, compress.distill's info, the steps.
---@param base any edgelab.LLM the teacher
---@param pruned any edgelab.LLM
---@param recipe string
---@param kd_tokens integer
---@param cfg table the script's lab.config (fields above, plus model, refit_windows, calib_len)
---@param dir string
function M.figure_student(base, pruned, recipe, kd_tokens, cfg, dir)
  return M.distill(base, pruned, {
    tokens = kd_tokens, batch_size = cfg.kd_batch, length = cfg.kd_length, windows = cfg.kd_windows, lr = cfg.kd_lr,
    source = cfg.kd_source, seed = cfg.seed, resume = true, checkpoint_every = cfg.kd_checkpoint_every,
    checkpoint = M.checkpoint(dir, { model = cfg.model, recipe = recipe, refit_windows = cfg.refit_windows,
                                     calib_len = cfg.calib_len, kd_tokens = kd_tokens, source = cfg.kd_source }) })
end

--- Quantizes `model` by a spec "method:type[:embedding type]" ("gptq:q4_0", "rtn:q4_0:q4_0"; embedding default
--- q8_0); GPTQ reads `o.calibration_windows` × `o.calibration_length` calibration tokens, act-order when
--- `o.act_order`. Returns compress.quantize's model and info.
---@param model any edgelab.LLM
---@param spec string
---@param o {calibration_windows: integer, calibration_length: integer, act_order: boolean}
function M.quantize(model, spec, o)
  local p = split(spec, ":")
  local method, type_, emb = p[1], p[2], p[3] or "q8_0"
  if not type_ then error(("ecld.quantize: bad spec '%s' (method:type[:embedding type])"):format(spec), 2) end
  local q = { type = type_, method = method, embedding_type = emb, act_order = method == "gptq" and o.act_order or false }
  if method == "gptq" then q.calibration_windows, q.calibration_length = o.calibration_windows, o.calibration_length end
  return require("edgelab").compress.quantize(model, q)
end

--- What a scored variant of experiments/paper/fig_ecld_pareto.lua depends on besides its name (the name carries
--- its recipe, KD budget and quantization spec): the model file (its name), the suite, the divergence texts and
--- every option that builds a variant. The key of the figure's store of scored variants (edgelab.store).
---@param cfg table the script's lab.config
---@param smoke boolean
function M.score_identity(cfg, smoke)
  local id = { smoke = smoke and true or false }
  for _, k in ipairs { "model", "seed", "items", "halueval", "truthfulqa", "kld_tokens", "kld_context", "bootstrap",
                       "kd_batch", "kd_length", "kd_windows", "kd_lr", "kd_source", "calib_len", "refit_windows",
                       "gptq_windows", "act_order" } do
    if cfg[k] == nil then error(("ecld.score_identity: the config has no '%s'"):format(k), 2) end
    id[k] = cfg[k]
  end
  id.model = id.model:match("([^/]+)$")   -- the file, not where the checkout is (as M.checkpoint names it)
  return id
end

--- The folder of experiments/paper/fig_ecld_pareto.lua's scored variants (decision 0716): a smoke run's own run
--- folder unless `--set scored=` named one (so tests never write to the repository); `scored = ""` → next to the
--- run folders; an absolute path as given; a relative one from the repository root, found from the script's path
--- (…/experiments/paper/<script>, experiments/paper/<script> from the root, or <script> from its own folder).
---@param scored string the script's `scored` option
---@param run_dir string the run folder
---@param session table edgelab.session
function M.scored_folder(scored, run_dir, session)
  if session.smoke and session.overrides.scored == nil then return run_dir .. "/scored" end
  if scored == "" then return run_dir .. "/../scored" end
  if scored:sub(1, 1) == "/" then return scored end
  local script = session.script or ""
  local root = script:match("^(.*)/experiments/paper/[^/]+$") or (script:match("^experiments/paper/[^/]+$") and ".")
               or (script:match("^[^/]+$") and "../..")
  if not root then
    error(("ecld.scored_folder: cannot find the repository root from the script path '%s' to resolve scored=%s; "
      .. "give an absolute path"):format(script, scored), 2)
  end
  return root .. "/" .. scored
end

return M
