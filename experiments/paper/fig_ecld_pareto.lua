-- Paper figure and verdict: at EQUAL bytes, is ECLD (prune → refit → distill → quantize) better, equal or worse
-- than quantization-only? SmolLM2-135M-Instruct variants, all against the reference (the GGUF's Q4_1 weights
-- dequantized to F32, decision 0001: the reference is already 4-bit, so the question lives below ~4.5 bpw).
--   edgelab run experiments/paper/fig_ecld_pareto.lua [--smoke] [--set profile=long] [--set kld_tokens=50000]
--   … --set partial=true   the figure and verdict of the variants scored so far (kept in `scored`), nothing built
-- assets: models/SmolLM2-135M-Instruct.Q4_1.gguf, data/bigbench, data/halueval
-- Families (sizes are the bytes of the tensors as written, bpw counted from them; % of F16/F32 = bytes against
-- the reference's parameter count at 2/4 bytes):
--   quant-only  RTN and GPTQ (act-order) at each `quant` spec: ggml type of the linear layers (k-quants fall back
--               per tensor, decision 0701: the written types are listed) and of the embedding;
--   prune-only  structured pruning without recovery or quantization;
--   ECLD        each `ecld` recipe (FFN-channel / head fraction, layers dropped by Block Influence) → least-squares
--               refit on `refit_windows` × `calib_len` calibration tokens → logit distillation from the reference
--               on the teacher-sampled corpus (data-free, disjoint from every evaluation text, decision 0710) at each
--               budget of `kd_tokens` (0 = refit only), checkpointed and resumed → GPTQ to each `ecld_quant` type.
-- Metrics: KLD to the reference and same-top-token rate per window of held-out text in domain (news, held-out
-- split) and in another domain (Wikipedia passages of HaluEval-QA), perplexity on both; BIG-bench MC accuracy
-- (all items of the four tasks), HaluEval-QA (`halueval` items) and TruthfulQA-MC (all 299) hallucination. Paired
-- bootstrap intervals (edgelab.ecld) against the reference and between the compared variants.
-- Verdict per size band (% of F16 of the ECLD point): the band's best ECLD point (lowest KLD in domain) against the
-- best quant-only point at ≤ its bytes (edgelab.ecld.comparator); a metric calls better / worse only when its
-- paired 95% interval excludes 0; beside it, the KLD difference to the frontier's next larger point (decision
-- 0711). Profiles: default (KD 0.03M, 0.3M tokens), `--set profile=long` adds 1M (opt-in: hours on 2 cores).
-- Cost: see docs/REPRODUCTION.md (claim 3) for the measured wall time of the latest run. A stopped run resumes:
-- KD students from their checkpoints (`kd_checkpoints`), scored variants from `scored` (edgelab.store, keyed by
-- every option a score depends on), so the default profile can be completed over several sittings; the report
-- names the commits whose runs scored the variants it shows.
local edgelab = require "edgelab"
local report = require "edgelab.report"
local ecld = require "edgelab.ecld"
local store = require "edgelab.store"
local llm, eval, lab, compress = edgelab.llm, edgelab.eval, edgelab.lab, edgelab.compress

local cfg = lab.config {
  model = llm.default_model, seed = 1234, profile = "default",
  items = 0, halueval = 500, truthfulqa = 0,      -- 0 = all items
  kld_tokens = 50000, kld_context = 256, bootstrap = 1000,
  -- method:linear type[:embedding type, default q8_0]. Not Q4_1: the reference's own format, re-quantized losslessly.
  quant = { "rtn:q8_0", "rtn:q6_k", "rtn:q5_1", "rtn:q5_0", "rtn:q4_0", "rtn:q4_k", "rtn:q3_k", "rtn:q2_k", "gptq:q4_0",
            "gptq:q3_k", "gptq:q2_k", "gptq:q4_0:q4_0", "gptq:q3_k:q4_0", "gptq:q2_k:q4_0" },
  prune_only = { "ffn=0.1" },
  ecld = { "ffn=0.05", "ffn=0.1", "ffn=0.15", "ffn=0.1,heads=0.34", "layers=1", "layers=2", "layers=4" },
  ecld_quant = { "gptq:q4_0", "gptq:q4_0:q4_0" }, -- method:type[:embedding type] of the last ECLD stage
  kd_tokens = { 0, 30000, 300000 },
  kd_batch = 4, kd_length = 128, kd_windows = 256, kd_lr = 1e-4, kd_source = "teacher", kd_checkpoint_every = 20,
  scored = "results/fig_ecld_pareto/scored",   -- folder of the scored variants, kept in the repository (decision
                         -- 0716; a relative path is from the repository root); "" = scored next to the run folders
  partial = false,       -- true: report only the variants already scored (the figure so far; nothing is built)
  kd_checkpoints = "",   -- folder of the KD checkpoints ("" = kd-checkpoints next to the run folders: a re-run
                         -- replaces its run folder, the checkpoints survive and a stopped KD resumes)
  calib_len = 256, refit_windows = 400, gptq_windows = 64, act_order = true,
  bands = { 20, 26, 29, 32, 36, 45, 60, 100 },    -- % of F16
  -- A suite difference is called only when its interval clears ±margin: re-making a GPTQ point from Hessians that
  -- differ in the last bits (another machine) moved MC accuracy by up to 0.041 and HaluEval-QA by up to 0.096 (0716).
  acc_margin = 0.05, halueval_margin = 0.1,
  smoke = { halueval = 2, items = 2, truthfulqa = 2, kld_tokens = 62, kld_context = 32, bootstrap = 50,
            quant = { "rtn:q4_0", "rtn:q4_0:q4_0" }, prune_only = {}, ecld = { "ffn=0.1" }, ecld_quant = { "rtn:q4_0" },
            kd_tokens = { 32 }, kd_batch = 1, kd_length = 16, kd_windows = 2, kd_source = "calibration", kd_checkpoint_every = 0,
            calib_len = 32, refit_windows = 2, gptq_windows = 2 },
}
-- A profile sets the options it names unless --set gave them (a --set option always wins).
--   long     adds KD at 1M tokens (opt-in: hours on 2 cores);
--   focused  every metric at the default's power, variants only where the equal-bytes question lives (26–34 % of
--            F16): GPTQ Q4_0 / Q2_K points, one RTN anchor, pruning-only and ECLD FFN −10 % at KD 0 and 0.3M tokens
--            on the calibration split (the teacher-sampled corpus at 256 windows is not generated by this profile).
local profiles = {
  default = {},
  long = { kd_tokens = { 0, 30000, 300000, 1000000 } },
  focused = { quant = { "rtn:q4_0:q4_0", "gptq:q4_0", "gptq:q4_0:q4_0", "gptq:q2_k:q4_0" }, prune_only = { "ffn=0.1" },
              ecld = { "ffn=0.1" }, ecld_quant = { "gptq:q4_0", "gptq:q4_0:q4_0" }, kd_tokens = { 0, 300000 },
              kd_source = "calibration" },
}
local profile = profiles[cfg.profile] or error(("fig_ecld_pareto: unknown profile '%s' (default, long, focused)"):format(cfg.profile))
local function same(a, b)
  if type(a) ~= "table" or type(b) ~= "table" then return a == b end
  for k, v in pairs(a) do if not same(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end
local declared = getmetatable(cfg).defaults
local names = {}
for k in pairs(profile) do names[#names + 1] = k end
table.sort(names)   -- a fixed order for the log
for _, k in ipairs(names) do
  local v = profile[k]
  if edgelab.session.smoke or not same(cfg[k], declared[k]) then
    print(("profile %s: keeping %s (from --set or --smoke)"):format(cfg.profile, k))
  else
    cfg[k] = v
  end
end
local kd_budgets = cfg.kd_tokens
local assets = { cfg.model }
for _, p in ipairs(report.eval_assets()) do assets[#assets + 1] = p end
if not report.need_assets("fig_ecld_pareto", assets) then return end
if not compress then print("fig_ecld_pareto: edgelab.compress is not available in this build; skipped") return end

local smoke = edgelab.session.smoke
local run <close> = lab.run { name = "paper/fig_ecld_pareto", config = cfg }
local t_start, load_start = edgelab.clock(), report.loadavg()
print(("load average at start: %s"):format(tostring(load_start)))
local suite = eval.suite {
  data_dir = report.data_dir(), seed = cfg.seed, items_per_task = cfg.items, halu_eval_items = cfg.halueval,
  truthful_qa_items = cfg.truthfulqa, perplexity_tokens = smoke and 62 or 512, perplexity_context = smoke and 32 or 256,
  query = smoke and { prompt_tokens = 16, output_tokens = 4 } or nil, bootstrap_resamples = cfg.bootstrap, measure_host = false,
}
local tag = ecld.tag

-- KD checkpoints, shared with experiments/ecld_equal_bytes.lua through kd_checkpoints (ecld.figure_student).
local kd_dir = cfg.kd_checkpoints ~= "" and cfg.kd_checkpoints or (run.dir .. "/../kd-checkpoints")
-- Scored variants survive a re-run (edgelab.store): one file per variant and part in `scored`, kept under every
-- option a score depends on, so a stopped run resumes at the first variant it had not finished scoring. The default
-- folder is committed with the repository (decision 0716): the profile takes longer than a sitting on two cores, and
-- a machine's outputs/ do not outlive it. A smoke run keeps them inside its own run folder (replaced by the next
-- smoke run) unless `--set scored=` names one, so it always builds and scores and never writes to the repository.
-- `partial = true` builds and scores nothing but the reference's suite: the figure of the variants scored so far.
local scored_dir = ecld.scored_folder(cfg.scored, run.dir, edgelab.session)
print(("scored variants: %s"):format(scored_dir))
local kept = store.open(scored_dir, ecld.score_identity(cfg, smoke))
local commit = run.commit or "unknown"   -- what the manifest records; "unknown" outside a git work tree
local machine = report.machine()          -- kept beside each score: a figure spans sittings and machines

local base = llm.load(cfg.model, { dequantize = true })
local base_params = base:info().params
local calib = { calibration_windows = cfg.gptq_windows, calibration_length = cfg.calib_len }
local function quantize(model, spec)   -- "gptq:q4_0[:q4_0]" → model, info
  return ecld.quantize(model, spec, { calibration_windows = calib.calibration_windows,
                                      calibration_length = calib.calibration_length, act_order = cfg.act_order })
end

-- The variants, in groups that are built and scored together (one reference pass per group and text): the
-- quantization-only points, the pruning-only points, then one group per ECLD recipe and KD budget (a recipe's refit
-- is shared by its groups; an extra reference pass per budget and text buys scores kept every 20–45 min).
local groups = { { family = "quant-only", variants = {} }, { family = "prune-only", variants = {} } }
for _, spec in ipairs(cfg.quant) do
  table.insert(groups[1].variants, { name = spec:gsub(":", "-") .. (spec:match("^gptq") and cfg.act_order and "-actorder" or ""),
                                     spec = spec, recipe = "", kd_tokens = 0 })
end
for _, r in ipairs(cfg.prune_only) do table.insert(groups[2].variants, { name = "prune-" .. tag(r), recipe = r, kd_tokens = 0 }) end
for _, r in ipairs(cfg.ecld) do
  for _, kd in ipairs(kd_budgets) do   -- one group per recipe and KD budget: scores are kept every ≈ 20–45 min
    local g = { family = "ECLD", recipe = r, variants = {} }
    for _, q in ipairs(cfg.ecld_quant) do
      g.variants[#g.variants + 1] = { name = ("ecld-%s-kd%gk-%s"):format(tag(r), kd / 1000, (q:gsub(":", "-"))), spec = q,
                                      recipe = r, kd_tokens = kd }
    end
    groups[#groups + 1] = g
  end
end

-- Builds a group's models: v.model, v.bytes, v.params, v.types, v.compress_s, v.kd_tok_s for each variant.
local function set(v, model, info, seconds, kd_rate)
  v.model, v.bytes, v.params, v.types = model, info.bytes, info.params, info.variant or "f32"
  v.compress_s, v.kd_tok_s = seconds, kd_rate or 0
  print(("%-10s %-34s %8.2f MB  %5.1f%% of F16  (%s, %.0f s)"):format(v.family, v.name, v.bytes / 1e6,
    50 * v.bytes / base_params, v.types, v.compress_s))
end
-- Builds the variants of group `g` listed in `todo` (those a stopped run left unscored): an ECLD group distils its
-- KD budget from its recipe's refit (built by the recipe's first group that needs it, then kept until the next recipe).
local refits = {}
local function build(g, todo)
  if g.family == "quant-only" then
    for _, v in ipairs(todo) do
      local t = edgelab.clock()
      local m, info = quantize(base, v.spec)
      set(v, m, info, edgelab.clock() - t)
    end
  elseif g.family == "prune-only" then
    for _, v in ipairs(todo) do
      local t = edgelab.clock()
      local m, info = ecld.prune(base, v.recipe, "none", cfg.refit_windows, cfg.calib_len)
      set(v, m, info, edgelab.clock() - t)
    end
  else
    local r = g.recipe
    if not refits[r] then   -- a recipe's refit is built once and shared by its KD budgets' groups
      local t = edgelab.clock()
      refits = { [r] = { model = ecld.prune(base, r, "refit", cfg.refit_windows, cfg.calib_len) } }
      refits[r].seconds = edgelab.clock() - t
    end
    local pruned, prune_s = refits[r].model, refits[r].seconds
    local students = {}
    for _, v in ipairs(todo) do
      local kd = v.kd_tokens
      if not students[kd] then
        local student, kd_s, kd_rate = pruned, 0, 0
        if kd > 0 then
          local t_kd = edgelab.clock()
          local dinfo, steps
          student, dinfo, steps = ecld.figure_student(base, pruned, r, kd, cfg, kd_dir)
          kd_s, kd_rate = edgelab.clock() - t_kd, dinfo.tokens_per_s
          if #dinfo.kd == 0 then   -- every step was done by an earlier run: loaded, not trained (kd_tok_s stays 0)
            print(("  KD %s: %d steps loaded complete from its checkpoint in %.0f s (trained and timed by an earlier run)")
              :format(r, steps, kd_s))
          else
            -- rate, passes and loss cover this run's steps only; a resumed KD's earlier steps ran in an earlier run
            print(("  KD %s: %d of %d steps × %d × %d tokens in %.0f s (%.1f tokens/s, %.1f passes over the %d-window "
              .. "corpus, KD loss %.4f at this run's first step, %.4f at its last)"):format(r, #dinfo.kd, steps,
              cfg.kd_batch, cfg.kd_length, kd_s, kd_rate, #dinfo.kd * cfg.kd_batch / cfg.kd_windows, cfg.kd_windows,
              dinfo.kd[1], dinfo.kd[#dinfo.kd]))
          end
        end
        students[kd] = { model = student, seconds = prune_s + kd_s, rate = kd_rate }
      end
    end
    for _, v in ipairs(todo) do
      local st, t_q = students[v.kd_tokens], edgelab.clock()
      local m, info = quantize(st.model, v.spec)
      set(v, m, info, st.seconds + edgelab.clock() - t_q, st.rate)
    end
  end
end

-- Suite (accuracy, hallucination, energy, accessibility) of one variant, per-item vectors kept for pairing.
local function suite_part(model, name, bytes)
  local t = edgelab.clock()
  local m = eval.run(model, suite, { name = "smollm2-135m-" .. name, storage_bytes = bytes })
  return { item_acc = m.generalization.item_acc, halu_items = m.hallucination.halueval_qa_items,
           tqa_items = m.hallucination.truthfulqa_items, acc = m.generalization.acc.mean,
           halueval = m.hallucination.halueval_qa.mean, truthfulqa = m.hallucination.truthfulqa.mean,
           energy_phone8_j = m.energy.devices["phone-8gb"].joules, population = m.accessibility.population_fraction,
           eval_s = edgelab.clock() - t, commit = commit, machine = machine }
end

local variants = { { family = "reference", name = "f32", bytes = base_params * 4, params = base_params, types = "f32",
                     compress_s = 0, recipe = "", kd_tokens = 0, kd_tok_s = 0 } }
local reference_ppl = {}
local fresh = { built = 0, scored = 0, kept = 0, left_out = 0 }
-- The reference's suite first: every paired interval needs it, a partial figure included.
variants[1].suite = kept:get("f32", "suite")
if not variants[1].suite then
  variants[1].suite = suite_part(base, "f32", variants[1].bytes)
  kept:put("f32", "suite", variants[1].suite)
end
for _, g in ipairs(groups) do
  local todo, done = {}, {}
  for _, v in ipairs(g.variants) do
    v.family = g.family
    local d, s = kept:get(v.name, "divergence"), kept:get(v.name, "suite")
    if d and s then
      for k, x in pairs(d.meta) do v[k] = x end
      v.div, v.suite = d, s
      fresh.kept = fresh.kept + 1
      done[#done + 1] = v
    elseif cfg.partial then
      fresh.left_out = fresh.left_out + 1
    else
      v.div, v.suite = d, s
      todo[#todo + 1] = v
      done[#done + 1] = v
    end
  end
  if #todo > 0 then
    build(g, todo)
    fresh.built = fresh.built + #todo
    local need, models = {}, {}
    for _, v in ipairs(todo) do if not v.div then need[#need + 1] = v; models[#models + 1] = v.model end end
    if #need > 0 then
      local div = {}
      for _, text in ipairs { "held_out", "other_domain" } do
        local t = edgelab.clock()
        div[text] = eval.divergence(models, base, { text = text, context = cfg.kld_context, tokens = cfg.kld_tokens,
                                                    seed = cfg.seed, resamples = cfg.bootstrap })
        print(("divergence on %s: %d variants × %d tokens in %.0f s"):format(text, #models, div[text][1].tokens, edgelab.clock() - t))
      end
      for i, v in ipairs(need) do
        v.div = { held_out = div.held_out[i], other_domain = div.other_domain[i], commit = commit, machine = machine,
                  meta = { bytes = v.bytes, params = v.params, types = v.types, compress_s = v.compress_s, kd_tok_s = v.kd_tok_s } }
        kept:put(v.name, "divergence", v.div)
      end
    end
    for _, v in ipairs(todo) do
      if not v.suite then
        v.suite = suite_part(v.model, v.name, v.bytes)
        kept:put(v.name, "suite", v.suite)
        fresh.scored = fresh.scored + 1
      end
      v.model = nil
    end
    collectgarbage()
  end
  for _, v in ipairs(done) do variants[#variants + 1] = v end
end
base = nil
collectgarbage()
print(("variants: %d kept from earlier runs, %d built, %d suites scored now"):format(fresh.kept, fresh.built, fresh.scored))
if cfg.partial then print(("partial: %d variants not yet scored are left out"):format(fresh.left_out)) end
local commits, machines = {}, {}
for i, v in ipairs(variants) do
  for k, x in pairs(v.suite) do v[k] = x end
  if i > 1 then
    local h, o = v.div.held_out, v.div.other_domain
    v.kld, v.kld_o, v.same_top, v.same_top_o = h.kld.mean, o.kld.mean, h.same_top_token, o.same_top_token
    v.ppl, v.ppl_o, v.win_kld, v.win_kld_o, v.win_nll = h.perplexity, o.perplexity, h.window_kld, o.window_kld, h.window_nll
    v.win_same, v.kld_ci, v.kld_o_ci = h.window_same_top_token, h.kld, o.kld
    reference_ppl.held_out, reference_ppl.other_domain = h.reference_perplexity, o.reference_perplexity
    commits[v.div.commit or "?"] = true
    machines[v.div.machine or "not recorded"] = true
  end
  commits[v.suite.commit or "?"] = true
  machines[v.suite.machine or "not recorded"] = true
end
variants[1].kld, variants[1].kld_o, variants[1].same_top, variants[1].same_top_o = 0, 0, 1, 1
variants[1].ppl, variants[1].ppl_o = reference_ppl.held_out, reference_ppl.other_domain
for _, v in ipairs(variants) do
  print(("%-34s KLD %.4f / %.4f  ppl %.2f / %.2f  acc %.3f  HaluEval %.3f  TQA %.3f  (%.0f s)"):format(v.name, v.kld,
    v.kld_o, v.ppl, v.ppl_o, v.acc, v.halueval, v.truthfulqa, v.eval_s))
end

-- Variant table with paired intervals against the reference (accuracy / hallucination: variant − reference).
-- compress_s: build seconds in the run that built the variant; a KD loaded complete from its checkpoint is not in
-- it, and its kd_tokens_per_s is empty (that KD was trained and timed by an earlier run, whose log has the rate).
local ref = variants[1]
local opts = { resamples = cfg.bootstrap, seed = cfg.seed }
local rows = run:csv("variants.csv", { "family", "variant", "types", "recipe", "kd_tokens", "params_m", "bytes",
  "bits_per_weight", "bits_per_base_weight", "pct_f16", "pct_f32", "kld", "kld_lo", "kld_hi", "same_top_token",
  "kld_other", "kld_other_lo", "kld_other_hi", "same_top_token_other", "ppl", "ppl_other", "acc", "d_acc", "d_acc_lo",
  "d_acc_hi", "halueval_qa", "d_halueval", "d_halueval_lo", "d_halueval_hi", "truthfulqa", "d_truthfulqa_lo",
  "d_truthfulqa_hi", "energy_phone8_j", "population_fraction", "compress_s", "kd_tokens_per_s", "eval_s" })
for i, v in ipairs(variants) do
  local da, dh, dt = ecld.paired(v.item_acc, ref.item_acc, opts), ecld.paired(v.halu_items, ref.halu_items, opts),
                     ecld.paired(v.tqa_items, ref.tqa_items, opts)
  local kh, ko = v.kld_ci or { lo = 0, hi = 0 }, v.kld_o_ci or { lo = 0, hi = 0 }
  v.pct_f16 = 50 * v.bytes / base_params
  rows:add { family = v.family, variant = v.name, types = v.types, recipe = v.recipe, kd_tokens = v.kd_tokens,
    params_m = v.params / 1e6, bytes = v.bytes, bits_per_weight = 8 * v.bytes / v.params,
    bits_per_base_weight = 8 * v.bytes / base_params, pct_f16 = v.pct_f16, pct_f32 = 25 * v.bytes / base_params,
    kld = v.kld, kld_lo = kh.lo, kld_hi = kh.hi, same_top_token = v.same_top, kld_other = v.kld_o, kld_other_lo = ko.lo,
    kld_other_hi = ko.hi, same_top_token_other = v.same_top_o, ppl = v.ppl, ppl_other = v.ppl_o, acc = v.acc,
    d_acc = da.mean, d_acc_lo = da.lo, d_acc_hi = da.hi, halueval_qa = v.halueval, d_halueval = dh.mean,
    d_halueval_lo = dh.lo, d_halueval_hi = dh.hi, truthfulqa = v.truthfulqa, d_truthfulqa_lo = dt.lo,
    d_truthfulqa_hi = dt.hi, energy_phone8_j = v.energy_phone8_j, population_fraction = v.population,
    compress_s = v.compress_s, kd_tokens_per_s = (v.kd_tokens > 0 and v.kd_tok_s == 0) and "" or v.kd_tok_s,
    eval_s = v.eval_s }
end
rows:close()

-- Verdict per size band.
local quant = {}
for _, v in ipairs(variants) do if v.family == "quant-only" then quant[#quant + 1] = v end end
local best = {}
for _, v in ipairs(variants) do
  if v.family == "ECLD" then
    local label, k = ecld.band(v.pct_f16, cfg.bands)
    if label and (not best[k] or v.kld < best[k].kld) then best[k] = v; v.band = label end
  end
end
local verdicts = run:csv("verdict.csv", { "band_pct_f16", "ecld", "quant_only", "ecld_bytes", "quant_bytes",
  "quant_larger", "d_kld", "d_kld_lo", "d_kld_hi", "kld_call", "d_kld_other", "d_kld_other_lo", "d_kld_other_hi",
  "kld_other_call", "d_same_top", "d_same_top_lo", "d_same_top_hi", "d_nll", "d_nll_lo", "d_nll_hi", "d_acc",
  "d_acc_lo", "d_acc_hi", "acc_call", "d_halueval", "d_halueval_lo", "d_halueval_hi", "halueval_call", "verdict",
  "next_quant", "next_quant_bytes", "d_kld_next", "d_kld_next_lo", "d_kld_next_hi" })
local lines = {}
for k = 1, #cfg.bands - 1 do
  local e = best[k]
  if e then
    local q, larger = ecld.comparator(quant, e.bytes, "kld")
    if q then
      local dk, dko = ecld.paired(e.win_kld, q.win_kld, opts), ecld.paired(e.win_kld_o, q.win_kld_o, opts)
      local dn, da = ecld.paired(e.win_nll, q.win_nll, opts), ecld.paired(e.item_acc, q.item_acc, opts)
      local ds = ecld.paired(e.win_same, q.win_same, opts)
      local dh = ecld.paired(e.halu_items, q.halu_items, opts)
      local calls = { ecld.call(dk, true), ecld.call(dko, true), ecld.call(da, false, cfg.acc_margin),
                      ecld.call(dh, true, cfg.halueval_margin) }
      local verdict = ecld.verdict(calls)
      if larger and verdict ~= "better" then verdict = "no quant-only point at <= bytes; vs a larger one: " .. verdict end
      -- The frontier's next step up, for context: ECLD − that point's KLD in domain (none when q is already larger).
      local n = not larger and ecld.next_larger(quant, e.bytes, "kld") or nil
      local dn_next = n and ecld.paired(e.win_kld, n.win_kld, opts) or {}
      verdicts:add { band_pct_f16 = e.band, ecld = e.name, quant_only = q.name, ecld_bytes = e.bytes, quant_bytes = q.bytes,
        quant_larger = larger, d_kld = dk.mean, d_kld_lo = dk.lo, d_kld_hi = dk.hi, kld_call = calls[1],
        d_kld_other = dko.mean, d_kld_other_lo = dko.lo, d_kld_other_hi = dko.hi, kld_other_call = calls[2],
        d_same_top = ds.mean, d_same_top_lo = ds.lo, d_same_top_hi = ds.hi, d_nll = dn.mean, d_nll_lo = dn.lo,
        d_nll_hi = dn.hi, d_acc = da.mean, d_acc_lo = da.lo, d_acc_hi = da.hi, acc_call = calls[3], d_halueval = dh.mean,
        d_halueval_lo = dh.lo, d_halueval_hi = dh.hi, halueval_call = calls[4], verdict = "ECLD " .. verdict,
        next_quant = n and n.name or "", next_quant_bytes = n and n.bytes, d_kld_next = dn_next.mean,
        d_kld_next_lo = dn_next.lo, d_kld_next_hi = dn_next.hi }
      lines[#lines + 1] = ("- %s %% of F16: %s (%.2f MB) vs %s (%.2f MB%s): **ECLD %s** (KLD in domain %s, other domain "
        .. "%s, accuracy %s, HaluEval-QA %s)%s"):format(e.band, e.name, e.bytes / 1e6, q.name, q.bytes / 1e6,
        larger and ", larger" or "", verdict, calls[1], calls[2], calls[3], calls[4],
        n and ("; the next larger quant-only point, %s (%.2f MB): KLD in domain %+.3f [%+.3f, %+.3f]"):format(n.name,
          n.bytes / 1e6, dn_next.mean, dn_next.lo, dn_next.hi) or "")
      print(lines[#lines])
    end
  end
end
verdicts:close()

for _, p in ipairs {
  { y = "kld", file = "size_vs_kld.svg", title = "Size vs KLD to the reference (held-out news)", ylabel = "KLD (nats/token)", pareto = "min-min", logy = true },
  { y = "kld_other", file = "size_vs_kld_other.svg", title = "Size vs KLD to the reference (Wikipedia passages)", ylabel = "KLD (nats/token)", pareto = "min-min", logy = true },
  { y = "acc", file = "size_vs_accuracy.svg", title = "Size vs accuracy (BIG-bench MC, all items pooled)", ylabel = "accuracy", pareto = "min-max" },
  { y = "halueval_qa", file = "size_vs_hallucination.svg", title = "Size vs hallucination (HaluEval-QA)", ylabel = "hallucination rate", pareto = "min-min" },
  { y = "energy_phone8_j", file = "size_vs_energy.svg", title = "Size vs energy per query (8 GB phone, analytic)", ylabel = "J / query", pareto = "min-min" },
} do
  run:plot { data = "variants.csv", x = "pct_f16", y = p.y, by = "family", kind = "scatter", pareto = p.pareto, logy = p.logy,
             file = p.file, title = p.title, xlabel = "stored size (% of F16)", ylabel = p.ylabel }
end
run:table("Variants (reference = Q4_1 GGUF dequantized to F32; d_* = variant − reference, paired 95% CI)", "variants.csv")
run:table("Verdict per size band: best ECLD point vs best quantization-only point at <= its bytes (ECLD − quant-only, "
  .. "paired 95% CI; accuracy and HaluEval-QA called only when the interval clears ±" .. cfg.acc_margin .. " and ±"
  .. cfg.halueval_margin .. "); next_quant: the next larger quantization-only point, d_kld_next = ECLD − its KLD in "
  .. "domain", "verdict.csv")
local commit_list = {}
for c in pairs(commits) do commit_list[#commit_list + 1] = c:sub(1, 12) end
table.sort(commit_list)
local machine_list = {}
for m in pairs(machines) do machine_list[#machine_list + 1] = m end
table.sort(machine_list)
run:note(("Profile %s, KD budgets {%s} tokens (%s corpus). Suite: seed %d, BIG-bench MC %s items per task, HaluEval-QA %s, "
  .. "TruthfulQA-MC %s (0 = all); KLD / same-top-token / perplexity on %d tokens per text (context %d; intervals over "
  .. "windows, paired between variants). This run scored %d variants' suites and reused %d variants scored by earlier "
  .. "runs (the scores come from commits %s, on machines: %s).%s Load average %s at start, %s at the end; wall time of this run %.0f s.\n\n%s")
  :format(cfg.profile, table.concat(kd_budgets, ", "), cfg.kd_source, cfg.seed, cfg.items, cfg.halueval, cfg.truthfulqa,
    cfg.kld_tokens, cfg.kld_context, fresh.scored, fresh.kept, table.concat(commit_list, ", "), table.concat(machine_list, "; "),
    cfg.partial and (" **Partial figure**: %d variants of the profile are not scored yet and are left out."):format(fresh.left_out) or "",
    tostring(load_start),
    tostring(report.loadavg()), edgelab.clock() - t_start,
    #lines > 0 and table.concat(lines, "\n") or "No ECLD point fell inside a size band."))
