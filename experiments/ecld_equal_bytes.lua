-- One ECLD point against quantization-only points near its size, on KLD alone: a cheaper follow-up of
-- experiments/paper/fig_ecld_pareto.lua's band verdict when a comparator of about the same bytes was not in the
-- figure's run (the figure's comparator is the best quant-only point at <= the ECLD point's bytes; a point a
-- little larger can still be the one a reader asks about).
--   edgelab run experiments/ecld_equal_bytes.lua [--smoke] [--set 'quant={"gptq:q3_k:q4_0"}']
--                  [--set kd_checkpoints=outputs/paper/fig_ecld_pareto/kd-checkpoints]
-- assets: models/SmolLM2-135M-Instruct.Q4_1.gguf, data/halueval
-- The ECLD point is built as in the figure (edgelab.ecld helpers, same options and seeds): `recipe` → refit on
-- `refit_windows` × `calib_len` calibration tokens → KD at `kd_tokens` on `kd_source` (checkpointed; with the
-- figure's kd_checkpoints folder a student the figure trained is resumed, not retrained) → `ecld_quant`. Every
-- `quant` spec is scored in the same divergence pass. Δ = ECLD − quant-only per window of each text (KLD,
-- same-top-token rate, NLL), paired 95% bootstrap (edgelab.ecld.paired); "better" / "worse" only when the
-- interval excludes 0. No accuracy or hallucination metrics: those need the figure's suite.
local edgelab = require "edgelab"
local report = require "edgelab.report"
local ecld = require "edgelab.ecld"
local llm, eval, lab, compress = edgelab.llm, edgelab.eval, edgelab.lab, edgelab.compress

local cfg = lab.config {
  model = llm.default_model, seed = 1234, recipe = "ffn=0.1", ecld_quant = "gptq:q4_0:q4_0",
  quant = { "gptq:q3_k:q4_0", "gptq:q2_k:q4_0" },
  kd_tokens = 100000, kd_source = "calibration", kd_windows = 256, kd_batch = 4, kd_length = 128, kd_lr = 1e-4,
  kd_checkpoint_every = 20, kd_checkpoints = "",
  calib_len = 256, refit_windows = 128, gptq_windows = 64, act_order = true,
  texts = { "held_out", "other_domain" }, kld_tokens = 50000, kld_context = 256, bootstrap = 1000,
  smoke = { quant = { "rtn:q4_0:q4_0" }, ecld_quant = "rtn:q4_0:q4_0", kd_tokens = 32, kd_windows = 2, kd_batch = 1,
            kd_length = 16, kd_checkpoint_every = 0, calib_len = 32, refit_windows = 2, gptq_windows = 2,
            kld_tokens = 62, kld_context = 32, bootstrap = 50 },
}
if not report.need_assets("ecld_equal_bytes", { cfg.model, report.data_dir() .. "/halueval/dataset_halueval_qa.jsonl" }) then return end
if not compress then print("ecld_equal_bytes: edgelab.compress is not available in this build; skipped") return end

local run <close> = lab.run { name = "ecld_equal_bytes", config = cfg }
local t_start, load_start = edgelab.clock(), report.loadavg()
print(("load average at start: %s"):format(tostring(load_start)))
local base = llm.load(cfg.model, { dequantize = true })
local qopts = { calibration_windows = cfg.gptq_windows, calibration_length = cfg.calib_len, act_order = cfg.act_order }

local student = ecld.prune(base, cfg.recipe, "refit", cfg.refit_windows, cfg.calib_len)
if cfg.kd_tokens > 0 then
  local dir = cfg.kd_checkpoints ~= "" and cfg.kd_checkpoints or (run.dir .. "/../kd-checkpoints")
  student = ecld.figure_student(base, student, cfg.recipe, cfg.kd_tokens, cfg, dir)
end
local points = {}
local function add(name, model, info)
  points[#points + 1] = { name = name, model = model, bytes = info.bytes, types = info.variant }
  print(("%-40s %8.2f MB  %5.1f%% of F16  (%s)"):format(name, info.bytes / 1e6, 50 * info.bytes / base:info().params, info.variant))
end
local m, info = ecld.quantize(student, cfg.ecld_quant, qopts)
add(("ecld-%s-kd%gk-%s"):format(ecld.tag(cfg.recipe), cfg.kd_tokens / 1000, (cfg.ecld_quant:gsub(":", "-"))), m, info)
for _, spec in ipairs(cfg.quant) do
  local q, qinfo = ecld.quantize(base, spec, qopts)
  add(spec:gsub(":", "-"), q, qinfo)
end

local models = {}
for i, p in ipairs(points) do models[i] = p.model end
local rows = run:csv("equal_bytes.csv", { "text", "quant_only", "ecld_bytes", "quant_bytes", "tokens", "kld_ecld",
  "kld_quant", "d_kld", "d_kld_lo", "d_kld_hi", "kld_call", "d_same_top", "d_same_top_lo", "d_same_top_hi", "d_nll",
  "d_nll_lo", "d_nll_hi" })
local opts = { resamples = cfg.bootstrap, seed = cfg.seed }
local lines = {}
for _, text in ipairs(cfg.texts) do
  local t = edgelab.clock()
  local d = eval.divergence(models, base, { text = text, context = cfg.kld_context, tokens = cfg.kld_tokens,
                                            seed = cfg.seed, resamples = cfg.bootstrap })
  print(("divergence on %s: %d models × %d tokens in %.0f s"):format(text, #models, d[1].tokens, edgelab.clock() - t))
  local e = d[1]
  for i = 2, #points do
    local q = d[i]
    local pw = ecld.paired_windows(e, q, opts)
    local dk, ds, dn = pw.kld, pw.same_top, pw.nll
    rows:add { text = text, quant_only = points[i].name, ecld_bytes = points[1].bytes, quant_bytes = points[i].bytes,
      tokens = e.tokens, kld_ecld = e.kld.mean, kld_quant = q.kld.mean, d_kld = dk.mean, d_kld_lo = dk.lo, d_kld_hi = dk.hi,
      kld_call = ecld.call(dk, true), d_same_top = ds.mean, d_same_top_lo = ds.lo, d_same_top_hi = ds.hi, d_nll = dn.mean,
      d_nll_lo = dn.lo, d_nll_hi = dn.hi }
    lines[#lines + 1] = ("- %s: %s (%.2f MB, KLD %.4f) vs %s (%.2f MB, KLD %.4f): ΔKLD %+.4f [%+.4f, %+.4f] (ECLD %s), "
      .. "Δsame top %+.4f [%+.4f, %+.4f], ΔNLL %+.4f [%+.4f, %+.4f]"):format(text, points[1].name, points[1].bytes / 1e6,
      e.kld.mean, points[i].name, points[i].bytes / 1e6, q.kld.mean, dk.mean, dk.lo, dk.hi, ecld.call(dk, true), ds.mean,
      ds.lo, ds.hi, dn.mean, dn.lo, dn.hi)
    print(lines[#lines])
  end
end
rows:close()
run:table("ECLD point against quantization-only points (Δ = ECLD − quant-only, paired 95% bootstrap over windows)", "equal_bytes.csv")
run:note(("Recipe %s, refit %d × %d tokens, KD %d tokens (%s corpus, %d windows), last stage %s; quant-only %s; "
  .. "KLD on %d tokens per text (context %d). Load average %s at start, %s at the end; wall time %.0f s.\n\n%s")
  :format(cfg.recipe, cfg.refit_windows, cfg.calib_len, cfg.kd_tokens, cfg.kd_source, cfg.kd_windows, cfg.ecld_quant,
    table.concat(cfg.quant, ", "), cfg.kld_tokens, cfg.kld_context, tostring(load_start), tostring(report.loadavg()),
    edgelab.clock() - t_start, table.concat(lines, "\n")))
