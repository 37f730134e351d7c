-- The default evaluation suite on the default model: the four ECLD metrics (generalization accuracy,
-- hallucination rate, energy per query, accessibility) with 95% bootstrap intervals, a report and a model card.
--   edgelab run experiments/eval_default.lua [--set items=0] [--set dequantize=true] [--smoke]
-- assets: models/SmolLM2-135M-Instruct.Q4_1.gguf, data/bigbench, data/halueval
local edgelab = require "edgelab"
local report = require "edgelab.report"
local llm, eval, lab = edgelab.llm, edgelab.eval, edgelab.lab

local cfg = lab.config {
  model = llm.default_model,
  dequantize = false,  -- false: the file's Q4_1 blocks (quantized kernels); true: F32 + BLAS
  seed = 1234,
  items = 40,          -- per BIG-bench task (0 = all)
  halueval = 100,      -- HaluEval-QA items
  truthfulqa = 60,     -- TruthfulQA-MC items
  ppl_tokens = 4096,   -- held-out tokens for perplexity
  smoke = { items = 3, halueval = 4, truthfulqa = 3, ppl_tokens = 128 },
}

local assets = { cfg.model }
for _, p in ipairs(report.eval_assets()) do assets[#assets + 1] = p end
if not report.need_assets("eval_default", assets) then return end

local suite = eval.suite {
  data_dir = report.data_dir(),   -- the same data root the asset check used (not the working directory's)
  seed = cfg.seed, items_per_task = cfg.items, halu_eval_items = cfg.halueval, truthful_qa_items = cfg.truthfulqa,
  perplexity_tokens = cfg.ppl_tokens,
  perplexity_context = edgelab.session.smoke and 64 or 256,
  query = edgelab.session.smoke and { prompt_tokens = 32, output_tokens = 8 } or nil,
  bootstrap_resamples = edgelab.session.smoke and 200 or 1000,
}

local run <close> = lab.run { name = "eval_default", config = cfg }
local model = llm.load(cfg.model, { dequantize = cfg.dequantize })
local m = eval.run(model, suite, { name = "smollm2-135m" })

local rows = run:csv("metrics.csv", { "metric", "mean", "lo", "hi", "n" })
local function add(name, e) rows:add { name, e.mean, e.lo, e.hi, e.n } end
for _, t in ipairs(suite.tasks) do
  add("acc/" .. t, m.generalization.tasks[t].acc)
  add("acc_norm/" .. t, m.generalization.tasks[t].acc_norm)
end
add("acc/pooled", m.generalization.acc)
add("hallucination/halueval_qa", m.hallucination.halueval_qa)
add("hallucination/truthfulqa", m.hallucination.truthfulqa)
add("truthfulqa/mc2", m.hallucination.mc2)
rows:add { "perplexity", m.generalization.perplexity, "", "", "" }
rows:add { "population_fraction", m.accessibility.population_fraction, "", "", "" }
if m.energy.host then rows:add { "host_query_joules", m.energy.host.joules, "", "", "" } end
run:table("Metrics", rows)

local energy = run:csv("energy.csv", { "device", "joules", "seconds" })
for _, d in ipairs(eval.devices()) do
  local e = m.energy.devices[d.name]
  energy:add { d.name, e.joules, e.seconds }
end
run:plot { data = energy, x = "device", y = "joules", kind = "bar", file = "energy.svg",
           title = "Energy per query (analytic)", ylabel = "J / query" }

m.results:save(run.dir, "smollm2-135m")
run:note(m.results:report())
print(string.format("general_knowledge acc %.3f (chance %.3f); HaluEval-QA hallucination %.3f; ppl %.2f; %.0f s",
  m.generalization.tasks.general_knowledge.acc.mean, m.generalization.tasks.general_knowledge.chance,
  m.hallucination.halueval_qa.mean, m.generalization.perplexity, m.wall_seconds))
