-- Measured degradation rule for the paper-scale cards (decision 0713): the relative change in accuracy and in
-- hallucination rate that each paper format's recipe causes on SmolLM2-135M-Instruct, against its reference (the
-- GGUF's Q4_1 weights dequantized to F32, decision 0001), on paired items with a paired bootstrap interval.
--   edgelab run experiments/paper/measure_degradation.lua [--smoke] [--set halueval=500]
-- assets: models/SmolLM2-135M-Instruct.Q4_1.gguf, data/bigbench, data/halueval
-- Formats and the recipe that stands for each (`formats`, spec = method:linear type[:embedding type]):
--   q8_0    RTN Q8_0                                    (llama.cpp Q8_0 is round-to-nearest)
--   q4_k_m  RTN Q4_K, per-tensor fallback (0701)       (llama.cpp Q4_K_M; 576-wide rows fall back)
--   q2_k    RTN Q2_K, per-tensor fallback              (llama.cpp Q2_K)
--   ecld    FFN channels −10 %, least-squares refit, GPTQ (act-order) Q4_0: the best ECLD recipe of
--           fig_ecld_pareto's measured run (docs/REPRODUCTION.md claim 3), without KD (KD did not help there)
-- Ratios: accuracy = mean over the pooled BIG-bench MC items (all items of the suite's tasks) of the variant ÷ the
-- reference's; hallucination = mean over HaluEval-QA + TruthfulQA-MC items (1 = hallucinated / false answer
-- preferred), variant ÷ reference. Output: degradation.json (eval.save_degradation; use it with
-- eval.paper_cards{degradation = path} or a scenario's paper_degradation), degradation.csv, and a table.
-- The table EdgeLab ships as paper_degradation = "measured" is this script's degradation.json from the run named in
-- its `source` (Sources/EdgeProfiles/ModelCard+ShippedDegradation.swift).
local edgelab = require "edgelab"
local report = require "edgelab.report"
local ecld = require "edgelab.ecld"
local llm, eval, lab, compress, stats = edgelab.llm, edgelab.eval, edgelab.lab, edgelab.compress, edgelab.stats

local cfg = lab.config {
  model = llm.default_model, seed = 1234,
  items = 0, halueval = 500, truthfulqa = 0,   -- 0 = all items
  bootstrap = 2000,
  formats = { q8_0 = "rtn:q8_0", q4_k_m = "rtn:q4_k", q2_k = "rtn:q2_k", ecld = "ffn=0.1/refit/gptq:q4_0" },
  calib_len = 256, refit_windows = 400, gptq_windows = 64, act_order = true,
  smoke = { items = 2, halueval = 4, truthfulqa = 3, bootstrap = 50, calib_len = 32, refit_windows = 2, gptq_windows = 2 },
}
local assets = { cfg.model }
for _, p in ipairs(report.eval_assets()) do assets[#assets + 1] = p end
if not report.need_assets("measure_degradation", assets) then return end
if not compress then print("measure_degradation: edgelab.compress is not available in this build; skipped") return end

local smoke = edgelab.session.smoke
local run <close> = lab.run { name = "paper/measure_degradation", config = cfg }
local t_start, load_start = edgelab.clock(), report.loadavg()
local suite = eval.suite {
  data_dir = report.data_dir(), seed = cfg.seed, items_per_task = cfg.items, halu_eval_items = cfg.halueval,
  truthful_qa_items = cfg.truthfulqa, perplexity_tokens = smoke and 62 or 512, perplexity_context = smoke and 32 or 256,
  query = smoke and { prompt_tokens = 16, output_tokens = 4 } or nil, bootstrap_resamples = cfg.bootstrap, measure_host = false,
}

local base = llm.load(cfg.model, { dequantize = true })
local gptq = { calibration_windows = cfg.gptq_windows, calibration_length = cfg.calib_len, act_order = cfg.act_order }
local function quantize(model, spec) return ecld.quantize(model, spec, gptq) end
local function build(spec)   -- a quantize spec, or "ffn=R/refit/<quantize spec>"
  local ffn, q = spec:match("^ffn=([%d%.]+)/refit/(.+)$")
  if not ffn then return quantize(base, spec) end
  local pruned = ecld.prune(base, "ffn=" .. ffn, "refit", cfg.refit_windows, cfg.calib_len)
  return quantize(pruned, q)
end

local function measure(model, name, bytes)
  local t = edgelab.clock()
  local m = eval.run(model, suite, { name = name, storage_bytes = bytes })
  local h = {}
  for _, x in ipairs(m.hallucination.halueval_qa_items) do h[#h + 1] = x end
  for _, x in ipairs(m.hallucination.truthfulqa_items) do h[#h + 1] = x end
  print(("%-28s acc %.4f (%d items)  hallucination %.4f (%d items)  %.0f s"):format(name, stats.mean(m.generalization.item_acc),
    #m.generalization.item_acc, stats.mean(h), #h, edgelab.clock() - t))
  return { acc = m.generalization.item_acc, hal = h }
end

local ref = measure(base, "reference-f32", nil)
local order = { "q8_0", "q4_k_m", "q2_k", "ecld" }
local rows = run:csv("degradation.csv", { "format", "variant", "bits_per_weight", "accuracy_ratio", "accuracy_lo",
  "accuracy_hi", "accuracy_items", "hallucination_ratio", "hallucination_lo", "hallucination_hi", "hallucination_items" })
local entries = {}
for _, format in ipairs(order) do
  local spec = cfg.formats[format]
  if spec then
    local model, info = build(spec)
    local variant = ("%s (%s)"):format(spec, info.variant or "")
    local m = measure(model, format, info.bytes)
    local o = { resamples = cfg.bootstrap, seed = cfg.seed }
    local a, alo, ahi = stats.paired_ratio_ci(m.acc, ref.acc, o)
    local h, hlo, hhi = stats.paired_ratio_ci(m.hal, ref.hal, o)
    local bpw = 8 * info.bytes / info.params
    entries[#entries + 1] = { format = format, variant = variant, bits_per_weight = bpw,
      accuracy = { ratio = a, low = alo, high = ahi, items = #m.acc },
      hallucination = { ratio = h, low = hlo, high = hhi, items = #m.hal } }
    rows:add { format = format, variant = variant, bits_per_weight = bpw, accuracy_ratio = a, accuracy_lo = alo,
      accuracy_hi = ahi, accuracy_items = #m.acc, hallucination_ratio = h, hallucination_lo = hlo,
      hallucination_hi = hhi, hallucination_items = #m.hal }
    model = nil
    collectgarbage()
  end
end
rows:close()

local wall, load_end = edgelab.clock() - t_start, report.loadavg()
local source = ("experiments/paper/measure_degradation.lua, seed %d, %d bootstrap resamples; wall %.0f s, load %s → %s "
  .. "(2 shared cores)"):format(cfg.seed, cfg.bootstrap, wall, tostring(load_start), tostring(load_end))
local table_ = { model = "SmolLM2-135M-Instruct (reference: Q4_1 GGUF dequantized to F32)", source = source, entries = entries,
  notes = { ("accuracy: pooled BIG-bench MC items (items per task: %s); hallucination: HaluEval-QA (%s items) + "
              .. "TruthfulQA-MC (%s) items"):format(cfg.items == 0 and "all" or cfg.items,
              cfg.halueval == 0 and "all" or cfg.halueval, cfg.truthfulqa == 0 and "all" or cfg.truthfulqa),
            "ratio = mean(variant) / mean(reference) on the same items; 95% paired percentile bootstrap",
            "transfer to 8-12B models is an assumption (small models lose more to the same bits per weight)" } }
eval.save_degradation(run.dir .. "/degradation.json", table_)
run:table("Relative change against the reference (ratio, paired 95% CI)", "degradation.csv")
run:note(source)
print(source)
