-- The end-to-end demo (run this first): SmolLM2-135M-Instruct → chat answer and perplexity → a compressed
-- variant → the four ECLD metrics on small seeded subsets → model cards → an MEC network whose users host the
-- measured variants → classic offloading baselines and a short PPO run → report.md tying it together.
--   edgelab run experiments/demo.lua [--smoke] [--set ppo_steps=50000] [--set items=20]
-- assets: models/SmolLM2-135M-Instruct.Q4_1.gguf, data/bigbench, data/halueval
-- Timing (default profile incl. the ECLD step, 2-core machine shared with other jobs, load average ≈ 9):
-- 315 s wall, 206 s CPU (each evaluation ≈ 60–65 s CPU, ECLD compression 15 s, PPO 30k steps 1.4 s); at load
-- ≈ 15 the same work took ~12 min wall. Per-stage times are in the run's timing.csv. Variants:
--   smollm2-135m-f32   the GGUF's Q4_1 weights dequantized to F32 (EdgeLab's "full precision" reference; the
--                      file itself is 4-bit), deployed size 4 bytes/param; the MEC edge server runs it
--   smollm2-135m-q4_1  the shipped file kept quantized (Q4_1 blocks, quantized kernels)
--   smollm2-135m-ecld  when edgelab.compress is available: pruned (FFN channels) + least-squares refit + Q4_0
-- Quality numbers come from small seeded subsets (items per task in config): they are a demonstration with wide
-- intervals, not a benchmark — use experiments/eval_default.lua and experiments/paper/*.lua for figures.
local edgelab = require "edgelab"
local report = require "edgelab.report"
local llm, eval, mec, rl, lab, stats = edgelab.llm, edgelab.eval, edgelab.mec, edgelab.rl, edgelab.lab, edgelab.stats

local cfg = lab.config {
  model = llm.default_model,
  question = "What is the capital of France?",
  max_tokens = 48,
  items = 10, halueval = 30, truthfulqa = 16, ppl_tokens = 512,    -- evaluation subsets (seeded)
  compress = true,                                                 -- run the ECLD step if edgelab.compress exists
  prune_ffn = 0.25,                                                -- fraction of FFN channels pruned (ECLD step)
  users = 10, horizon = 200, eval_episodes = 2, ppo_steps = 30000, -- MEC part
  smoke = { max_tokens = 8, items = 2, halueval = 2, truthfulqa = 2, ppl_tokens = 64, compress = false,
            users = 4, horizon = 120, eval_episodes = 1, ppo_steps = 256 },   -- 120 slots: ~8 queries arrive
}
local assets = { cfg.model }
for _, p in ipairs(report.eval_assets()) do assets[#assets + 1] = p end
if not report.need_assets("demo", assets) then return end

local smoke = edgelab.session.smoke
local run <close> = lab.run { name = "demo", config = cfg }
local timing = run:csv("timing.csv", { "stage", "wall_s", "cpu_s" })
local T0 = edgelab.clock()
local function stage(name, f)
  local t, c = edgelab.clock(), os.clock()
  local r1, r2, r3 = f()
  local w = edgelab.clock() - t
  timing:add { name, w, os.clock() - c }
  print(("[demo] %-28s %6.1f s"):format(name, w))
  return r1, r2, r3
end
print(("load average at start: %s"):format(tostring(report.loadavg())))

-- 1. The model: chat answer and perplexity.
local base, info = stage("load model", function()
  local m = llm.load(cfg.model, { dequantize = true })   -- the F32 reference (the file's Q4_1 dequantized)
  return m, m:info()
end)
local answer, gen = stage("chat answer", function() return base:chat(cfg.question, { max_tokens = cfg.max_tokens }) end)
print("Q: " .. cfg.question .. "\nA: " .. answer)
local TEXT = [[
The Moon is Earth's only natural satellite. It orbits at an average distance of 384,400 km, about 30 times
the diameter of Earth. The Moon always presents the same side to Earth, because gravitational pull has
locked its rotation to its orbital period. Its gravitational influence produces the ocean tides.
]]
local ppl, pinfo = stage("perplexity", function() return base:perplexity(TEXT, { ctx = 64 }) end)
print(("perplexity (ctx 64, %d tokens): %.3f"):format(pinfo.tokens, ppl))

-- 2. Variants and the four metrics.
local suite = eval.suite {
  data_dir = report.data_dir(),   -- the same data root the asset check used (not the working directory's)
  items_per_task = cfg.items, halu_eval_items = cfg.halueval, truthful_qa_items = cfg.truthfulqa,
  perplexity_tokens = cfg.ppl_tokens, perplexity_context = smoke and 32 or 256,
  query = smoke and { prompt_tokens = 16, output_tokens = 4 } or nil, bootstrap_resamples = smoke and 50 or 500,
}
local variants = {}   -- { name, model, metrics, card }
local function evaluate(name, model, opts)
  local m = stage("evaluate " .. name, function()
    opts = opts or {}
    opts.name = name
    if #variants > 0 then opts.base, opts.base_results = base, variants[1].metrics.results end
    return eval.run(model, suite, opts)
  end)
  local card = eval.card(model, m.results, { name = name })
  if #variants > 0 then card.base_model = variants[1].name else card.base_model = nil end
  variants[#variants + 1] = { name = name, model = model, metrics = m, card = card }
  print(("%-20s %.1f MB  acc %.3f  HaluEval-QA halluc. %.3f  TruthfulQA halluc. %.3f  ppl %.2f  accessible %.0f%%")
    :format(name, card.storage_bytes / 1e6, m.generalization.acc.mean, m.hallucination.halueval_qa.mean,
            m.hallucination.truthfulqa.mean, m.generalization.perplexity, 100 * m.accessibility.population_fraction))
end
evaluate("smollm2-135m-f32", base, { storage_bytes = info.params * 4 })
-- The shipped Q4_1 file as loaded by default (blocks kept): also in --smoke, so users have a variant to host
-- and the MEC section below has local work to show.
evaluate("smollm2-135m-q4_1", stage("load q4_1 (kept quantized)", function() return llm.load(cfg.model) end))
local compress_note
if cfg.compress and edgelab.compress then
  local ok, err = pcall(function()
    local m, cinfo = stage("ECLD compress", function()
      return report.ecld(base, { prune_ffn = cfg.prune_ffn, recovery = "refit", quant = "q4_0", calib = smoke and 2 or 8,
                                 calib_len = smoke and 32 or 256 })
    end)
    evaluate("smollm2-135m-ecld", m, { storage_bytes = cinfo.bytes })
  end)
  if not ok then compress_note = "ECLD step failed: " .. tostring(err); print(compress_note) end
elseif cfg.compress then
  compress_note = "edgelab.compress is not available in this build: the ECLD variant was skipped."
  print(compress_note)
end

local mrows = run:csv("variants.csv", { "variant", "storage_mb", "bits_per_weight", "acc", "acc_lo", "acc_hi",
  "halueval_qa", "truthfulqa", "perplexity", "kld_to_base", "flip_rate", "energy_phone8_j", "energy_laptop_j",
  "population_fraction", "host_query_j" })
for _, v in ipairs(variants) do
  local m, c = v.metrics, v.card
  mrows:add { variant = v.name, storage_mb = c.storage_bytes / 1e6, bits_per_weight = c.bits_per_weight,
    acc = m.generalization.acc.mean, acc_lo = m.generalization.acc.lo, acc_hi = m.generalization.acc.hi,
    halueval_qa = m.hallucination.halueval_qa.mean, truthfulqa = m.hallucination.truthfulqa.mean,
    perplexity = m.generalization.perplexity, kld_to_base = m.generalization.kld and m.generalization.kld.mean,
    flip_rate = m.generalization.flip_rate, energy_phone8_j = m.energy.devices["phone-8gb"].joules,
    energy_laptop_j = m.energy.devices["laptop-16gb"].joules, population_fraction = m.accessibility.population_fraction,
    host_query_j = m.energy.host and m.energy.host.joules }
end
mrows:close()
local cards = {}
for _, v in ipairs(variants) do cards[#cards + 1] = v.card end
local cards_path = run.dir .. "/cards.json"
eval.save_cards(cards_path, cards)

-- 3. The MEC network built from the measured cards. The edge server runs the reference (f32); each user hosts
-- the best accessible compressed variant. Quality constraints are set relative to the measured edge model
-- (A_min = 90% of its mean accuracy, H_max = its mean hallucination + 0.05), because the scenario's defaults
-- are calibrated for the 8B paper-scale cards.
local edge = variants[1].card
local accs, hals = {}, {}
for _, cls in ipairs { "knowledge", "commonsense", "truthfulness" } do
  if edge.tasks[cls] then accs[#accs + 1] = edge.tasks[cls].accuracy; hals[#hals + 1] = edge.tasks[cls].hallucination end
end
local a_min, h_max = 0.9 * stats.mean(accs), math.min(1, stats.mean(hals) + 0.05)
local env = mec.env { scenario = "paper", users = cfg.users, horizon = cfg.horizon, card_set = "measured",
                      cards_path = cards_path, edge_model = edge.name, min_accuracy = a_min, max_hallucination = h_max }
local hosted = {}
for u = 1, env.users do hosted[#hosted + 1] = env.devices[u] .. "→" .. (env.models[u] ~= "" and env.models[u] or "none") end
print("users (device→hosted model): " .. table.concat(hosted, ", "))
local mcols = { "policy", "latency_mean", "latency_p95", "effective_accuracy", "hallucination", "offload_fraction",
  "energy_per_device_w", "energy_violation_rate", "accuracy_violation_rate", "hallucination_violation_rate", "mean_return" }
local mec_csv = run:csv("mec.csv", mcols)
local eval_seeds = { 1001 }
local function add_mec(name, m)
  local row = { policy = name }
  for _, k in ipairs(mcols) do if k ~= "policy" then row[k] = m[k] end end
  mec_csv:add(row)
  print(("%-15s latency %6.2f s  eff.acc %.3f  halluc. %.3f  offload %.2f  energy-viol %.2f  return %.1f"):format(
    name, m.latency_mean, m.effective_accuracy, m.hallucination, m.offload_fraction, m.energy_violation_rate, m.mean_return))
end
stage("MEC baselines", function()
  for _, name in ipairs(mec.baselines()) do
    if name ~= "lyapunov-exhaustive" or cfg.users <= 6 then
      add_mec(name, mec.evaluate(mec.baseline(name, env, 1), env, { episodes = cfg.eval_episodes, seeds = eval_seeds }))
    end
  end
end)
stage("PPO training", function()
  local agent = rl.ppo { env = env, seed = 1, total_steps = cfg.ppo_steps, num_envs = smoke and 2 or 8,
                         num_steps = smoke and 64 or 128 }
  agent:train(cfg.ppo_steps)
  add_mec("PPO", agent:evaluate(env, { episodes = cfg.eval_episodes, seeds = eval_seeds }))
  local curve = run:csv("ppo_curve.csv", { "global_step", "episodic_return" })
  for _, h in ipairs(agent:history()) do
    if h.episodic_return then curve:add { h.global_step, h.episodic_return } end
  end
  curve:close()
end)
mec_csv:close()
timing:add { "total", edgelab.clock() - T0, os.clock() }
timing:close()

-- 4. The report.
run:note(("## 1. The model\n\n%s: %d layers, d = %d, %.1f M parameters (%.1f MB as F32).\n\n**Q:** %s\n\n**A:** %s\n\n"
  .. "Perplexity on a short text (ctx 64, %d tokens): %.3f.")
  :format(info.path or cfg.model, info.layers, info.dim, info.params / 1e6, info.params * 4 / 1e6, cfg.question,
          answer, pinfo.tokens, ppl))
run:note(("## 2. Compressed variants and the four ECLD metrics\n\nSuite: %d items per BIG-bench task, %d HaluEval-QA, "
  .. "%d TruthfulQA-MC items (seeded subsets), perplexity on %d held-out tokens. Accuracy = pooled BIG-bench "
  .. "multiple-choice acc; hallucination = fraction preferring the hallucinated/false answer; energy = analytic "
  .. "J/query (256+128 tokens) on an 8 GB phone and a laptop; accessibility = share of the device population that can "
  .. "host the model; host_query_j = CPU time × assumed W/core on this machine. %s")
  :format(cfg.items, cfg.halueval, cfg.truthfulqa, cfg.ppl_tokens, compress_note or ""))
run:table("Variants", "variants.csv")
run:plot { data = "variants.csv", x = "storage_mb", y = "acc", kind = "scatter", pareto = true, logx = true,
           file = "size_vs_accuracy.svg", title = "Size vs accuracy of the measured variants",
           xlabel = "stored size (MB, log)", ylabel = "BIG-bench acc (pooled)" }
run:note(("## 3. MEC offloading with the measured cards\n\n%d users, horizon %d slots, correlated fading (ρ = 0.9); "
  .. "edge server runs %s; constraints A_min = %.3f, H_max = %.3f (relative to the measured edge model). "
  .. "Users (device→hosted variant): %s. Baselines greedy/lyapunov read the slot's state (full knowledge); PPO trained "
  .. "for %d env steps (seed 1). Evaluation: %d episode(s) on reset seed %d.")
  :format(cfg.users, cfg.horizon, edge.name, a_min, h_max, table.concat(hosted, ", "), cfg.ppo_steps, cfg.eval_episodes, eval_seeds[1]))
run:table("Policies on the measured-card MEC network", "mec.csv")
run:plot { data = "mec.csv", x = "policy", y = "latency_mean", kind = "bar", file = "mec_latency.svg",
           title = "Mean query latency per policy (measured cards)", ylabel = "latency (s)" }
run:plot { data = "ppo_curve.csv", x = "global_step", y = "episodic_return", kind = "line", file = "ppo_curve.svg",
           title = "PPO learning curve on the measured-card MEC network", xlabel = "env steps",
           ylabel = "mean episodic return (training episodes)" }
run:table("Timing", "timing.csv")
run:note(("Total wall time %.0f s (load average at start %s). Cards: cards.json (MEC input); per-variant evaluation "
  .. "details in the evaluation reports. Next: experiments/paper/*.lua (`edgelab figures`).")
  :format(edgelab.clock() - T0, tostring(report.loadavg())))
for _, v in ipairs(variants) do v.metrics.results:save(run.dir .. "/eval/" .. v.name, v.name) end
print(("[demo] report: %s/report.md (written as the script ends)"):format(run.dir))
