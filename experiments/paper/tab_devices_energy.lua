-- Paper table: energy per query and accessibility per device class, for the measured SmolLM2-135M variants
-- (evaluated here) and the paper-scale model cards (Llama-3.1-8B, Qwen3-8B, Mistral-NeMo-12B and their
-- compressed variants, from published sizes; eval.paper_cards()).
--   edgelab run experiments/paper/tab_devices_energy.lua [--smoke] [--set cards='outputs/.../cards.json']
-- assets: models/SmolLM2-135M-Instruct.Q4_1.gguf, data/bigbench, data/halueval
-- Energy/latency per query: the analytic roofline model of EdgeProfiles (prefill compute-bound, decode
-- memory-bound, × the device's active power; device numbers and sources: eval.devices()). The measured cards'
-- device metrics come from Swift (eval.card); every card of the table goes through eval.device_cost, the same
-- Swift model.
-- Measured variants: "f32" (the GGUF's Q4_1 weights dequantized to F32 — EdgeLab's full-precision reference,
-- deployed size 4 bytes/param) and "q4_1" (the shipped file, kept quantized); plus every card of a cards JSON
-- file given with --set cards=... (e.g. written by experiments/paper/fig_ecld_pareto.lua).
-- Quality numbers are not the point of this table: the suite runs on small seeded subsets (items) to make cards.
-- Cost: ~1–2 min (two small evaluations + host timing of one query per variant).
local edgelab = require "edgelab"
local report = require "edgelab.report"
local llm, eval, lab = edgelab.llm, edgelab.eval, edgelab.lab

local cfg = lab.config {
  model = llm.default_model, items = 10, halueval = 20, truthfulqa = 10, ppl_tokens = 512, cards = "",
  smoke = { items = 2, halueval = 2, truthfulqa = 2, ppl_tokens = 64 },
}
local assets = { cfg.model }
for _, p in ipairs(report.eval_assets()) do assets[#assets + 1] = p end
if not report.need_assets("tab_devices_energy", assets) then return end

local run <close> = lab.run { name = "paper/tab_devices_energy", config = cfg }
local smoke = edgelab.session.smoke
local suite = eval.suite {
  data_dir = report.data_dir(),   -- the same data root the asset check used (not the working directory's)
  items_per_task = cfg.items, halu_eval_items = cfg.halueval, truthful_qa_items = cfg.truthfulqa,
  perplexity_tokens = cfg.ppl_tokens, perplexity_context = smoke and 32 or 256,
  query = smoke and { prompt_tokens = 16, output_tokens = 4 } or nil,
  bootstrap_resamples = smoke and 50 or 500, tasks = smoke and { "general_knowledge", "physical_intuition" } or nil,
}
print(("load average at start: %s"):format(tostring(report.loadavg())))

-- Measured cards.
local cards = {}
local base = llm.load(cfg.model, { dequantize = true })
local info = base:info()
local mb = eval.run(base, suite, { name = "smollm2-135m-f32", storage_bytes = info.params * 4 })
cards[#cards + 1] = eval.card(base, mb.results, { name = "smollm2-135m-f32" })
local evals = { mb }
if not smoke then   -- the smoke run evaluates one variant only (the suite's data loading dominates its time)
  local q = llm.load(cfg.model)
  local mq = eval.run(q, suite, { name = "smollm2-135m-q4_1", base = base, base_results = mb.results })
  local cq = eval.card(q, mq.results, { name = "smollm2-135m-q4_1" })
  cq.base_model = "smollm2-135m-f32"
  cards[#cards + 1] = cq
  evals[#evals + 1] = mq
end
if cfg.cards ~= "" then
  for _, c in ipairs(eval.load_cards(cfg.cards)) do cards[#cards + 1] = c end
end
eval.save_cards(run.dir .. "/measured_cards.json", cards)
local host = run:csv("host.csv", { "model", "cpu_seconds", "wall_seconds", "joules_cpu_time", "decode_tok_s" })
for _, m in ipairs(evals) do
  local h = m.energy.host
  if h then host:add { m.results:card().name, h.cpu_seconds, h.wall_seconds, h.joules, h.decode_tok_s } end
end
host:close()

-- The table: every card on every device class at the standard query (256 prompt + 128 output tokens).
local devices = eval.devices()
local all = {}
for _, c in ipairs(cards) do all[#all + 1] = c end
for _, c in ipairs(eval.paper_cards()) do all[#all + 1] = c end
local tab = run:csv("devices_energy.csv", { "model", "source", "device", "device_class", "storage_gb", "bits_per_weight",
  "energy_j", "latency_s", "decode_tok_s", "required_gb", "usable_gb", "fits", "accessible" })
local pop = run:csv("accessibility.csv", { "model", "source", "storage_gb", "bits_per_weight", "population_fraction",
  "accessible_devices", "energy_phone8_j", "energy_laptop_j", "energy_vs_base_pct" })
local base_energy = {}
for _, c in ipairs(all) do
  local share, total, names = 0, 0, {}
  local e = {}
  for _, d in ipairs(devices) do
    local l = eval.device_cost(c, d)
    e[d.name] = l.joules
    tab:add { model = c.name, source = c.source, device = d.name, device_class = d.device_class,
      storage_gb = c.storage_bytes / 1e9, bits_per_weight = c.bits_per_weight, energy_j = l.joules, latency_s = l.seconds,
      decode_tok_s = l.decode_tokens_per_second, required_gb = l.required_bytes / 1e9, usable_gb = l.usable_bytes / 1e9,
      fits = l.fits and 1 or 0, accessible = l.accessible and 1 or 0 }
    total = total + d.population_share
    if l.accessible then share = share + d.population_share; names[#names + 1] = d.name end
  end
  if c.base_model == nil then base_energy[c.name] = e["laptop-16gb"] end
  local be = base_energy[c.base_model or c.name]
  pop:add { model = c.name, source = c.source, storage_gb = c.storage_bytes / 1e9, bits_per_weight = c.bits_per_weight,
    population_fraction = total > 0 and share / total or 0, accessible_devices = table.concat(names, " "),
    energy_phone8_j = e["phone-8gb"], energy_laptop_j = e["laptop-16gb"],
    energy_vs_base_pct = be and report.change_pct(e["laptop-16gb"], be) or nil }
end
tab:close()
pop:close()

-- Figure: energy per query by device for a readable subset of models.
-- Short labels keep the legend and the category axis readable.
local shown = { ["smollm2-135m-f32"] = "SmolLM2 f32", ["smollm2-135m-q4_1"] = "SmolLM2 q4_1",
  ["llama-3.1-8b-f16"] = "L3.1-8B f16", ["llama-3.1-8b-q4_k_m"] = "L3.1-8B q4_k_m", ["llama-3.1-8b-q2_k"] = "L3.1-8B q2_k",
  ["llama-3.1-minitron-4b-width-q4_k_m"] = "Minitron-4B q4_k_m", ["llama-3.1-8b-ecld-paper"] = "L3.1-8B ECLD (paper)" }
local short_names = { ["rpi5-8gb"] = "rpi5", ["jetson-orin-nano"] = "orin-nano", ["jetson-agx-orin"] = "agx-orin",
  ["laptop-16gb"] = "laptop" }
local short_device = function(d) return short_names[d] or (d:gsub("^phone%-", "ph-")) end
local rows = {}
for _, r in ipairs((lab.read_csv(run.dir .. "/devices_energy.csv"))) do
  if shown[r.model] and r.device_class ~= "edge-server" then
    r.model, r.device = shown[r.model], short_device(r.device)
    rows[#rows + 1] = r
  end
end
run:plot { data = rows, x = "device", y = "energy_j", by = "model", kind = "bar", logy = true,
           file = "energy_per_query.svg", title = "Energy per query (256+128 tokens, analytic roofline)",
           ylabel = "J / query (log)", width = 1040, height = 500 }
run:plot { data = "accessibility.csv", x = "storage_gb", y = "population_fraction", kind = "scatter", by = "source",
           logx = true, file = "accessibility_vs_size.svg", title = "Accessible share of the device population vs model size",
           xlabel = "stored size (GB, log)", ylabel = "population fraction" }
run:table("Accessibility and energy per query (laptop-16gb and phone-8gb shown; all devices in devices_energy.csv)", "accessibility.csv")
run:table("Measured on this host (CPU time × assumed W/core)", "host.csv")
run:note(("Query shape 256 prompt + 128 output tokens; accessibility: weights + KV cache at 2048 tokens + 512 MiB ≤ usable "
  .. "RAM and ≥ 5 decoded tok/s (EdgeProfiles defaults). Paper-scale cards are built from published sizes "
  .. "(docs/REFERENCES.md), marked source = paper-scale. Energies of models that do not fit are what the roofline gives "
  .. "if they did (fits = 0 in devices_energy.csv). SmolLM2 f32 = the Q4_1 file dequantized (4 B/param)."))
