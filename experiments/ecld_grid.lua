-- ECLD grid on SmolLM2-135M-Instruct: quantization-only vs pruning-only vs prune→recover→quantize, each
-- measured with the evaluation suite; writes grid.csv and Pareto figures (size vs accuracy / hallucination /
-- energy / perplexity). Reference = the Q4_1 GGUF dequantized to F32 (the file itself is 4-bit).
--   edgelab run experiments/ecld_grid.lua [--smoke] [--set distill_steps=20] [--set calib=16]
-- assets: models/SmolLM2-135M-Instruct.Q4_1.gguf, data/bigbench, data/halueval
local edgelab = require "edgelab"
local report = require "edgelab.report"
local llm, eval, lab = edgelab.llm, edgelab.eval, edgelab.lab

local cfg = lab.config {
  model = llm.default_model, seed = 1234, items = 10, halueval = 40, truthfulqa = 30, ppl_tokens = 1024,
  calib = 16, calib_len = 256, distill_steps = 0, distill_windows = 32,
  smoke = { items = 1, halueval = 2, truthfulqa = 2, ppl_tokens = 48, calib = 2, calib_len = 32 },
}
local assets = { cfg.model }
for _, p in ipairs(report.eval_assets()) do assets[#assets + 1] = p end
if not report.need_assets("ecld_grid", assets) then return end
if not edgelab.compress then print("ecld_grid: edgelab.compress not in this build; skipped"); return end
local smoke = edgelab.session.smoke

local suite = eval.suite {
  seed = cfg.seed, items_per_task = cfg.items, halu_eval_items = cfg.halueval, truthful_qa_items = cfg.truthfulqa,
  perplexity_tokens = cfg.ppl_tokens, perplexity_context = smoke and 24 or 256,
  query = smoke and { prompt_tokens = 8, output_tokens = 2 } or nil, bootstrap_resamples = smoke and 20 or 1000,
  measure_host = not smoke,
}
local calib = { calibration_windows = cfg.calib, calibration_length = cfg.calib_len }
local function with_calib(t) for k, v in pairs(calib) do t[k] = v end; return t end

-- width pruning of ~25% of linear parameters: 1/3 of heads (evenly inside GQA groups) + 25% of FFN channels
local prune25 = { ffn_ratio = 0.25, head_ratio = 0.34 }
local variants = {
  { "quant-only", "rtn-q4_0", { quantize = { type = "q4_0" } } },
  { "quant-only", "gptq-q4_0", { quantize = { type = "q4_0", method = "gptq" } } },
  { "prune-only", "prune25", { prune = prune25 } },
  { "ECLD", "prune25-refit-q4_0", { prune = prune25, recovery = "refit", quantize = { type = "q4_0" } } },
}
if smoke then variants = { variants[4] } end
if not smoke then
  table.insert(variants, 2, { "quant-only", "rtn-q3_k", { quantize = { type = "q3_k" } } })
end
if cfg.distill_steps > 0 then
  variants[#variants + 1] = { "ECLD", "prune25-refit-kd-q4_0", { prune = prune25, recovery = "refit+distill",
    distill = { steps = cfg.distill_steps, temperature = 1, lr = 2e-4, min_lr = 2e-5 },
    distill_windows = cfg.distill_windows, quantize = { type = "q4_0" } } }
end

local run <close> = lab.run { name = "ecld_grid", config = cfg }
local base = llm.load(cfg.model, { dequantize = true })   -- F32 reference: compression starts from it
local rows = run:csv("grid.csv", { "family", "variant", "params_m", "storage_mb", "bits_per_weight", "acc", "acc_lo",
  "acc_hi", "halueval_qa", "truthfulqa", "perplexity", "kld", "energy_phone8_j", "population_fraction", "compress_s" })
local base_results
local function add(family, name, model, bytes, secs)
  local m = eval.run(model, suite, { name = name, storage_bytes = bytes, base = base_results and base or nil,
                                     base_results = base_results })
  base_results = base_results or m.results
  local info = model:info()
  rows:add { family = family, variant = name, params_m = info.params / 1e6, storage_mb = bytes / 1e6,
    bits_per_weight = 8 * bytes / info.params, acc = m.generalization.acc.mean, acc_lo = m.generalization.acc.lo,
    acc_hi = m.generalization.acc.hi, halueval_qa = m.hallucination.halueval_qa.mean,
    truthfulqa = m.hallucination.truthfulqa.mean, perplexity = m.generalization.perplexity,
    kld = m.generalization.kld and m.generalization.kld.mean or 0, energy_phone8_j = m.energy.devices["phone-8gb"].joules,
    population_fraction = m.accessibility.population_fraction, compress_s = secs }
  print(("%-10s %-24s %8.1f MB  acc %.3f  HaluEval %.3f  ppl %.2f"):format(family, name, bytes / 1e6,
    m.generalization.acc.mean, m.hallucination.halueval_qa.mean, m.generalization.perplexity))
end
add("reference", "f32", base, base:info().weight_bytes, 0)
for _, v in ipairs(variants) do
  local t = edgelab.clock()
  local model, info = edgelab.compress.pipeline(base, with_calib(v[3]))
  add(v[1], v[2], model, info.bytes, edgelab.clock() - t)
end
rows:close()
for _, p in ipairs {
  { y = "acc", file = "size_vs_accuracy.svg", title = "Size vs accuracy", pareto = "min-max" },
  { y = "halueval_qa", file = "size_vs_hallucination.svg", title = "Size vs hallucination (HaluEval-QA)", pareto = "min-min" },
  { y = "energy_phone8_j", file = "size_vs_energy.svg", title = "Size vs energy per query (8 GB phone)", pareto = "min-min" },
  { y = "perplexity", file = "size_vs_perplexity.svg", title = "Size vs held-out perplexity", pareto = "min-min" },
} do
  run:plot { data = "grid.csv", x = "storage_mb", y = p.y, by = "family", kind = "scatter", pareto = p.pareto,
             logx = true, file = p.file, title = p.title, xlabel = "stored size (MB)", ylabel = p.y }
end
run:table("ECLD grid (reference = Q4_1 GGUF dequantized to F32)", "grid.csv")
