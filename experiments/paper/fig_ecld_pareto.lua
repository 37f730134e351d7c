-- Paper figure: size vs accuracy / hallucination / energy Pareto fronts of SmolLM2-135M-Instruct variants:
-- quantization-only (RTN Q8_0, Q4_1, Q4_0; GPTQ Q4_0), pruning-only (FFN channels, no recovery) and ECLD
-- (prune → least-squares refit [→ logit distillation] → quantize), all measured with the evaluation suite.
--   edgelab run experiments/paper/fig_ecld_pareto.lua [--smoke] [--set items=40] [--set distill_steps=0]
-- assets: models/SmolLM2-135M-Instruct.Q4_1.gguf, data/bigbench, data/halueval
-- Claim checked (docs/REFERENCES.md): ECLD cuts storage 70–80% and energy up to 50% with accuracy largely preserved
-- and hallucination often lower than quantization-only or pruning-only — ECLD must win at EQUAL size.
-- Reference = the GGUF's Q4_1 weights dequantized to F32 (the file is 4-bit; say so in every table).
-- Needs edgelab.compress (the Compression module's Lua face); without it the script says so and skips.
-- Cost: measured 12m44s wall / 5m26s CPU for 8 variants at --set items=5 halueval=20 truthfulqa=10
-- ppl_tokens=512 calib=8 gptq=false (load ≈ 9–12); the default profile (larger subsets, GPTQ) costs ~2–3× that.
local edgelab = require "edgelab"
local report = require "edgelab.report"
local llm, eval, lab = edgelab.llm, edgelab.eval, edgelab.lab

local cfg = lab.config {
  model = llm.default_model, items = 20, halueval = 60, truthfulqa = 40, ppl_tokens = 2048, seed = 1234,
  prune = { 0.25, 0.5 },        -- FFN channel fractions for pruning-only and ECLD
  distill_steps = 0,            -- > 0 adds prune→refit→distill→Q4_0 variants (logit KD steps)
  gptq = true,                  -- add the GPTQ Q4_0 quantization-only variant
  calib = 16, calib_len = 256,  -- calibration windows × tokens (pruning statistics, refit, GPTQ Hessians)
  smoke = { items = 2, halueval = 2, truthfulqa = 2, ppl_tokens = 64, prune = { 0.25 }, gptq = false,
            calib = 2, calib_len = 32 },
}
local assets = { cfg.model }
for _, p in ipairs(report.eval_assets()) do assets[#assets + 1] = p end
if not report.need_assets("fig_ecld_pareto", assets) then return end
if not edgelab.compress then
  print("fig_ecld_pareto: edgelab.compress is not available in this build (the Compression module's Lua face); skipped")
  return
end

local smoke = edgelab.session.smoke
local run <close> = lab.run { name = "paper/fig_ecld_pareto", config = cfg }
print(("load average at start: %s"):format(tostring(report.loadavg())))
local suite = eval.suite {
  data_dir = report.data_dir(),   -- the same data root the asset check used (not the working directory's)
  seed = cfg.seed, items_per_task = cfg.items, halu_eval_items = cfg.halueval, truthful_qa_items = cfg.truthfulqa,
  perplexity_tokens = cfg.ppl_tokens, perplexity_context = smoke and 32 or 256,
  query = smoke and { prompt_tokens = 16, output_tokens = 4 } or nil, bootstrap_resamples = smoke and 50 or 1000,
  measure_host = not smoke,
}

-- The variants: family, name, ECLD spec (see report.ecld).
-- (The smoke run keeps one variant per family that the equal-size table needs: q4_0 and one ECLD point.)
local specs = { { family = "quant-only", name = "q4_0", spec = { quant = "q4_0" } } }
if not smoke then
  table.insert(specs, 1, { family = "quant-only", name = "q8_0", spec = { quant = "q8_0" } })
  table.insert(specs, 2, { family = "quant-only", name = "q4_1", spec = { quant = "q4_1" } })
end
if cfg.gptq then specs[#specs + 1] = { family = "quant-only", name = "q4_0-gptq", spec = { quant = "q4_0", method = "gptq" } } end
for _, r in ipairs(cfg.prune) do
  local tag = ("ffn%d"):format(math.floor(100 * r + 0.5))
  if not smoke then specs[#specs + 1] = { family = "prune-only", name = "prune-" .. tag, spec = { prune_ffn = r } } end
  specs[#specs + 1] = { family = "ECLD", name = "ecld-" .. tag .. "-refit-q4_0", spec = { prune_ffn = r, recovery = "refit", quant = "q4_0" } }
  if cfg.distill_steps > 0 then
    specs[#specs + 1] = { family = "ECLD", name = "ecld-" .. tag .. "-refit-kd-q4_0",
      spec = { prune_ffn = r, recovery = "refit+distill", distill_steps = cfg.distill_steps, quant = "q4_0" } }
  end
end

local base = llm.load(cfg.model, { dequantize = true })   -- F32 reference: compression starts from it
local info = base:info()
local rows = run:csv("variants.csv", { "family", "variant", "params_m", "storage_mb", "size_pct", "bits_per_weight",
  "acc", "acc_lo", "acc_hi", "acc_norm", "halueval_qa", "halueval_lo", "halueval_hi", "truthfulqa", "perplexity",
  "kld_to_base", "flip_rate", "energy_phone8_j", "energy_rpi5_j", "energy_vs_base_pct", "population_fraction",
  "compress_s", "eval_s" })
local cards = {}
local base_storage, base_energy, base_results
local function add(family, name, model, compress_s, storage)
  local t = edgelab.clock()
  local m = eval.run(model, suite, { name = "smollm2-135m-" .. name, storage_bytes = storage,
                                     base = base_results and base or nil, base_results = base_results })
  local card = eval.card(model, m.results, { name = "smollm2-135m-" .. name })
  card.base_model = base_results and "smollm2-135m-f32" or nil
  cards[#cards + 1] = card
  if not base_results then base_results, base_storage = m.results, card.storage_bytes end
  local e8 = m.energy.devices["phone-8gb"].joules
  base_energy = base_energy or e8
  rows:add { family = family, variant = name, params_m = card.params / 1e6, storage_mb = card.storage_bytes / 1e6,
    size_pct = 100 * card.storage_bytes / base_storage, bits_per_weight = card.bits_per_weight,
    acc = m.generalization.acc.mean, acc_lo = m.generalization.acc.lo, acc_hi = m.generalization.acc.hi,
    acc_norm = m.generalization.acc_norm.mean, halueval_qa = m.hallucination.halueval_qa.mean,
    halueval_lo = m.hallucination.halueval_qa.lo, halueval_hi = m.hallucination.halueval_qa.hi,
    truthfulqa = m.hallucination.truthfulqa.mean, perplexity = m.generalization.perplexity,
    kld_to_base = m.generalization.kld and m.generalization.kld.mean, flip_rate = m.generalization.flip_rate,
    energy_phone8_j = e8, energy_rpi5_j = m.energy.devices["rpi5-8gb"].joules,
    energy_vs_base_pct = report.change_pct(e8, base_energy), population_fraction = m.accessibility.population_fraction,
    compress_s = compress_s, eval_s = (edgelab.clock() - t) }
  print(("%-12s %-28s %7.1f MB  acc %.3f  HaluEval %.3f  TQA %.3f  ppl %7.2f  phone-8gb %.2f J  (%.1f s)"):format(
    family, name, card.storage_bytes / 1e6, m.generalization.acc.mean, m.hallucination.halueval_qa.mean,
    m.hallucination.truthfulqa.mean, m.generalization.perplexity, e8, (edgelab.clock() - t)))
end
add("reference", "f32", base, 0, info.params * 4)
for _, v in ipairs(specs) do
  local t = edgelab.clock()
  v.spec.calib, v.spec.calib_len = cfg.calib, cfg.calib_len
  local model, cinfo = report.ecld(base, v.spec)
  add(v.family, v.name, model, (edgelab.clock() - t), cinfo.bytes)
end
rows:close()
eval.save_cards(run.dir .. "/cards.json", cards)

-- Equal-size comparison: each ECLD variant against the quantization-only and pruning-only variants closest to it
-- in stored size (|log size ratio|), with the differences in accuracy and hallucination (ECLD − baseline).
local all = (lab.read_csv(run.dir .. "/variants.csv"))
local eq = run:csv("equal_size.csv", { "ecld", "baseline_family", "baseline", "ecld_mb", "baseline_mb", "d_acc",
  "d_halueval_qa", "d_truthfulqa", "d_perplexity", "d_energy_phone8_j" })
for _, e in ipairs(all) do
  if e.family == "ECLD" then
    for _, fam in ipairs { "quant-only", "prune-only" } do
      local best, bd
      for _, b in ipairs(all) do
        if b.family == fam then
          local d = math.abs(math.log(b.storage_mb / e.storage_mb))
          if not bd or d < bd then best, bd = b, d end
        end
      end
      if best then
        eq:add { ecld = e.variant, baseline_family = fam, baseline = best.variant, ecld_mb = e.storage_mb,
          baseline_mb = best.storage_mb, d_acc = e.acc - best.acc, d_halueval_qa = e.halueval_qa - best.halueval_qa,
          d_truthfulqa = e.truthfulqa - best.truthfulqa, d_perplexity = e.perplexity - best.perplexity,
          d_energy_phone8_j = e.energy_phone8_j - best.energy_phone8_j }
      end
    end
  end
end
eq:close()

for _, p in ipairs {
  { y = "acc", file = "size_vs_accuracy.svg", title = "Size vs accuracy (BIG-bench MC, pooled)", ylabel = "accuracy", pareto = "min-max" },
  { y = "halueval_qa", file = "size_vs_hallucination.svg", title = "Size vs hallucination (HaluEval-QA)", ylabel = "hallucination rate", pareto = "min-min" },
  { y = "truthfulqa", file = "size_vs_truthfulqa.svg", title = "Size vs hallucination (TruthfulQA-MC: false answer preferred)", ylabel = "hallucination rate", pareto = "min-min" },
  { y = "energy_phone8_j", file = "size_vs_energy.svg", title = "Size vs energy per query (8 GB phone, analytic)", ylabel = "J / query", pareto = "min-min" },
  { y = "perplexity", file = "size_vs_perplexity.svg", title = "Size vs held-out perplexity", ylabel = "perplexity", pareto = "min-min", logy = true },
} do
  run:plot { data = "variants.csv", x = "storage_mb", y = p.y, by = "family", kind = "scatter", pareto = p.pareto,
             logx = true, logy = p.logy, file = p.file, title = p.title, xlabel = "stored size (MB, log)", ylabel = p.ylabel }
end
run:table("Variants (reference = Q4_1 GGUF dequantized to F32)", "variants.csv")
run:table("ECLD vs the nearest-size quantization-only / pruning-only variant (ECLD − baseline; hallucination: lower is better)", "equal_size.csv")
run:note(("Suite: seed %d, %d items per BIG-bench task, %d HaluEval-QA, %d TruthfulQA-MC items, perplexity on %d "
  .. "held-out tokens; 95%% bootstrap intervals in the evaluation results. Equal-size comparison: compare ECLD points "
  .. "with quantization-only points of similar storage_mb.")
  :format(cfg.seed, cfg.items, cfg.halueval, cfg.truthfulqa, cfg.ppl_tokens))
