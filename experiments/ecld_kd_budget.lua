-- Does distillation recover a pruned SmolLM2? One ECLD recipe (prune → least-squares refit), then logit KD from
-- the reference at each token budget on each distillation corpus, then (optionally) the same quantization as the
-- figure; each point scored against the reference on held-out text, and every KD point compared with the
-- refit-only point by paired bootstrap differences over the same windows.
--   edgelab run experiments/ecld_kd_budget.lua [--smoke] [--set 'kd_tokens={30000,100000}']
--                  [--set 'kd_corpora={"teacher:32","calibration:256"}']
-- assets: models/SmolLM2-135M-Instruct.Q4_1.gguf, data/halueval
-- The pipeline is fig_ecld_pareto.lua's (edgelab.ecld helpers, same options, same seeds): refit on
-- `refit_windows` × `calib_len` calibration tokens; KD with compress.distill on each `kd_corpora` spec
-- "source:windows" (windows of `kd_length` tokens; "teacher" = sampled from the reference, "calibration" = the
-- calibration split after the calibration windows; both disjoint from the evaluation texts, decision 0710); loss
-- T²·KL over {teacher top-k, rest} (decision 0712), batch `kd_batch` × `kd_length`, AdamW at `kd_lr` with warm-up
-- + cosine decay, checkpointed and resumed; then `quant` ("none" = score the F32 student). Metrics
-- (eval.divergence): KLD to the reference, same-top-token rate and NLL per window of each of `texts`; Δ = KD point −
-- refit-only point, paired 95% bootstrap interval over windows (edgelab.ecld.paired). "held_out" and
-- "other_domain" are the evaluation texts: choose options elsewhere, not by these numbers.
local edgelab = require "edgelab"
local report = require "edgelab.report"
local ecld = require "edgelab.ecld"
local llm, eval, lab, compress = edgelab.llm, edgelab.eval, edgelab.lab, edgelab.compress

local cfg = lab.config {
  model = llm.default_model, seed = 1234, recipe = "ffn=0.1", quant = "gptq:q4_0",
  kd_tokens = { 30000 }, kd_corpora = { "teacher:32" },   -- KD budgets (tokens) × corpora ("source:windows")
  kd_batch = 4, kd_length = 128, kd_lr = 1e-4, kd_temperature = 2, kd_top_k = 64, kd_sample_temperature = 1,
  kd_checkpoint_every = 20, kd_checkpoints = "",
  calib_len = 256, refit_windows = 128, gptq_windows = 16, act_order = true,
  texts = { "held_out", "other_domain" }, kld_tokens = 4096, kld_context = 256, bootstrap = 1000,
  smoke = { kd_tokens = { 32 }, kd_corpora = { "calibration:2" }, kd_batch = 1, kd_length = 16, kd_checkpoint_every = 0,
            calib_len = 32, refit_windows = 2, gptq_windows = 2, quant = "rtn:q4_0", kld_tokens = 62, kld_context = 32, bootstrap = 50 },
}
if not report.need_assets("ecld_kd_budget", { cfg.model, report.data_dir() .. "/halueval/dataset_halueval_qa.jsonl" }) then return end
if not compress then print("ecld_kd_budget: edgelab.compress is not available in this build; skipped") return end

local run <close> = lab.run { name = "ecld_kd_budget", config = cfg }
local t_start, load_start = edgelab.clock(), report.loadavg()
print(("load average at start: %s"):format(tostring(load_start)))
local base = llm.load(cfg.model, { dequantize = true })

local t = edgelab.clock()
local pruned = ecld.prune(base, cfg.recipe, "refit", cfg.refit_windows, cfg.calib_len)
print(("prune %s + refit on %d × %d tokens: %.0f s"):format(cfg.recipe, cfg.refit_windows, cfg.calib_len, edgelab.clock() - t))

local function finish(student)   -- the last stage: quantization as in the figure, or none
  if cfg.quant == "none" then return student end
  return (ecld.quantize(student, cfg.quant, { calibration_windows = cfg.gptq_windows, calibration_length = cfg.calib_len,
                                               act_order = cfg.act_order }))
end
local function ckpt(kd, source, windows)   -- every option the student depends on is in the name (Distiller checks them too)
  local dir = cfg.kd_checkpoints ~= "" and cfg.kd_checkpoints or (run.dir .. "/../kd-checkpoints")
  local model = cfg.model:match("([^/]+)$"):gsub("%.gguf$", "")
  return ("%s/%s-%s-refit%dx%d-kd%d-w%dx%d-lr%g-T%g-k%d-st%g-%s.ckpt"):format(dir, model, ecld.tag(cfg.recipe),
    cfg.refit_windows, cfg.calib_len, kd, windows, cfg.kd_length, cfg.kd_lr, cfg.kd_temperature, cfg.kd_top_k,
    cfg.kd_sample_temperature, source)
end

-- points: refit only, then every (corpus size, budget)
local points = { { name = "refit", corpus = "", kd_tokens = 0, steps = 0, model = finish(pruned) } }
for _, corpus in ipairs(cfg.kd_corpora) do
  local source, count = corpus:match("^(%a+):(%d+)$")
  local windows = math.tointeger(tonumber(count))
  if not windows then error(("ecld_kd_budget: bad kd_corpora entry '%s' (source:windows)"):format(corpus)) end
  for _, kd in ipairs(cfg.kd_tokens) do
    local t_kd = edgelab.clock()
    local student, info, steps = ecld.distill(base, pruned, {
      tokens = kd, batch_size = cfg.kd_batch, length = cfg.kd_length, windows = windows, lr = cfg.kd_lr,
      temperature = cfg.kd_temperature, top_k = cfg.kd_top_k, source = source,
      sample_temperature = cfg.kd_sample_temperature, seed = cfg.seed, checkpoint = ckpt(kd, source, windows),
      checkpoint_every = cfg.kd_checkpoint_every, resume = true })
    local p = { name = ("kd%gk-%s%d"):format(kd / 1000, source, windows), corpus = corpus, kd_tokens = steps * cfg.kd_batch * cfg.kd_length,
                steps = steps, kd_s = edgelab.clock() - t_kd, tok_s = info.tokens_per_s, kd_first = info.kd[1] or 0 / 0,
                kd_last = info.kd[#info.kd] or 0 / 0, tail = info.teacher_tail_mass,
                copy_bias = -cfg.kd_temperature ^ 2 * info.teacher_log_top_mass }
    print(("KD %s: %d steps × %d × %d tokens, corpus %s × %d tokens, %.0f s (%.1f tokens/s, KD loss %.4f → %.4f; teacher "
      .. "tail mass outside top-%d %.4f, loss of an exact copy under a renormalised top-k target %.4f)"):format(p.name, steps,
      cfg.kd_batch, cfg.kd_length, corpus, cfg.kd_length, p.kd_s, p.tok_s, p.kd_first, p.kd_last, cfg.kd_top_k, p.tail, p.copy_bias))
    p.model = finish(student)
    points[#points + 1] = p
  end
end

local models = {}
for i, p in ipairs(points) do models[i] = p.model end
local rows = run:csv("kd_budget.csv", { "point", "corpus", "kd_tokens", "steps", "kd_loss_first", "kd_loss_last",
  "kd_seconds", "kd_tokens_per_s", "teacher_tail_mass", "copy_bias_renormalised", "text", "tokens", "kld", "kld_lo", "kld_hi", "same_top_token", "ppl", "d_kld", "d_kld_lo",
  "d_kld_hi", "d_same_top", "d_same_top_lo", "d_same_top_hi", "d_nll", "d_nll_lo", "d_nll_hi" })
local opts = { resamples = cfg.bootstrap, seed = cfg.seed }
local lines = {}
for _, text in ipairs(cfg.texts) do
  local t_div = edgelab.clock()
  local d = eval.divergence(models, base, { text = text, context = cfg.kld_context, tokens = cfg.kld_tokens,
                                            seed = cfg.seed, resamples = cfg.bootstrap })
  print(("divergence on %s: %d models × %d tokens in %.0f s"):format(text, #models, d[1].tokens, edgelab.clock() - t_div))
  for i, p in ipairs(points) do
    local r, r0 = d[i], d[1]
    local pw = ecld.paired_windows(r, r0, opts)
    local dk, ds, dn = pw.kld, pw.same_top, pw.nll
    rows:add { point = p.name, corpus = p.corpus, kd_tokens = p.kd_tokens, steps = p.steps,
      kd_loss_first = p.kd_first or 0, kd_loss_last = p.kd_last or 0, kd_seconds = p.kd_s or 0, kd_tokens_per_s = p.tok_s or 0,
      teacher_tail_mass = p.tail or 0, copy_bias_renormalised = p.copy_bias or 0, text = text, tokens = r.tokens, kld = r.kld.mean, kld_lo = r.kld.lo, kld_hi = r.kld.hi, same_top_token = r.same_top_token,
      ppl = r.perplexity, d_kld = dk.mean, d_kld_lo = dk.lo, d_kld_hi = dk.hi, d_same_top = ds.mean, d_same_top_lo = ds.lo,
      d_same_top_hi = ds.hi, d_nll = dn.mean, d_nll_lo = dn.lo, d_nll_hi = dn.hi }
    lines[#lines + 1] = ("- %s, %s: KLD %.4f [%.4f, %.4f], same top %.3f, ppl %.2f; vs refit only ΔKLD %+.4f [%+.4f, %+.4f] (%s), "
      .. "Δsame top %+.4f [%+.4f, %+.4f], ΔNLL %+.4f [%+.4f, %+.4f]"):format(p.name, text, r.kld.mean, r.kld.lo, r.kld.hi,
      r.same_top_token, r.perplexity, dk.mean, dk.lo, dk.hi, i == 1 and "—" or ecld.call(dk, true), ds.mean, ds.lo, ds.hi,
      dn.mean, dn.lo, dn.hi)
    print(lines[#lines])
  end
end
rows:close()
run:table("KD points against the refit-only point (Δ = KD − refit only, paired 95% bootstrap over windows)", "kd_budget.csv")
run:note(("Recipe %s, refit %d × %d tokens, last stage %s; KD batch %d × %d, lr %g, T %g, top-k %d, teacher corpus "
  .. "sampled at temperature %g. Load average %s at start, %s at the end; wall time %.0f s.\n\n%s"):format(cfg.recipe,
  cfg.refit_windows, cfg.calib_len, cfg.quant, cfg.kd_batch, cfg.kd_length, cfg.kd_lr, cfg.kd_temperature, cfg.kd_top_k,
  cfg.kd_sample_temperature, tostring(load_start), tostring(report.loadavg()), edgelab.clock() - t_start, table.concat(lines, "\n")))
