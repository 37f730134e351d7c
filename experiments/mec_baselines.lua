-- MEC baselines across the user population: latency and constraint satisfaction vs number of users.
--   edgelab run experiments/mec_baselines.lua [--smoke] [--set seeds=5] [--set rho=0]
-- Every baseline runs on the same scenario and the same seeds (same arrivals and channels per seed);
-- lyapunov-exhaustive only for N <= 10 (it searches all joint actions per slot). Constraint violation rates
-- are long-run per device (fraction of devices beyond the limit, pooled over all episodes of a seed);
-- *_episode_violation_rate is the per-episode view. For feasibility / headroom per population see
-- experiments/paper/tab_scenario.lua (mec.diagnose).
local edgelab = require "edgelab"
local mec, lab, stats = edgelab.mec, edgelab.lab, edgelab.stats

local cfg = lab.config {
  users = { 5, 10, 20, 30, 40, 50 }, seeds = 3, episodes = 4, horizon = 200, rho = 0.9, scenario = "paper",
  smoke = { users = { 5, 10 }, seeds = 1, episodes = 1, horizon = 40 },
}
local run <close> = lab.run { name = "mec_baselines", config = cfg }

local metrics = { "latency_mean", "latency_p50", "latency_p95", "delay_transmit", "delay_queue", "delay_compute",
                  "energy_per_device_w", "effective_accuracy", "accuracy", "hallucination", "deadline_miss_rate",
                  "offload_fraction", "energy_violation_rate", "accuracy_violation_rate",
                  "hallucination_violation_rate", "energy_episode_violation_rate", "mean_return", "seconds" }
local cols = { "baseline", "users", "seed" }
for _, k in ipairs(metrics) do cols[#cols + 1] = k end
local results = run:csv("results.csv", cols)

local summary_rows = {}
for _, n in ipairs(cfg.users) do
  local env = mec.env { scenario = cfg.scenario, users = n, rho = cfg.rho, horizon = cfg.horizon }
  for _, name in ipairs(mec.baselines()) do
    if name ~= "lyapunov-exhaustive" or n <= 10 then
      local per = {}
      for seed = 1, cfg.seeds do
        local r = mec.evaluate(mec.baseline(name, env, seed), env, { episodes = cfg.episodes, seeds = { seed } })
        local row = { baseline = name, users = n, seed = seed }
        for _, k in ipairs(metrics) do row[k] = r[k]; per[k] = per[k] or {}; table.insert(per[k], r[k]) end
        results:add(row)
      end
      summary_rows[#summary_rows + 1] = {
        baseline = name, users = n,
        latency_mean = stats.mean(per.latency_mean), latency_p95 = stats.mean(per.latency_p95),
        energy_w = stats.mean(per.energy_per_device_w), eff_accuracy = stats.mean(per.effective_accuracy),
        hallucination = stats.mean(per.hallucination), offload = stats.mean(per.offload_fraction),
        energy_ok = 1 - stats.mean(per.energy_violation_rate), accuracy_ok = 1 - stats.mean(per.accuracy_violation_rate),
        hallucination_ok = 1 - stats.mean(per.hallucination_violation_rate),
      }
      print(("N=%2d %-14s latency %.1f s (p95 %.1f)  eff.acc %.3f  energy %.2f W  energy-ok %.2f  acc-ok %.2f"):format(
        n, name, summary_rows[#summary_rows].latency_mean, summary_rows[#summary_rows].latency_p95,
        summary_rows[#summary_rows].eff_accuracy, summary_rows[#summary_rows].energy_w,
        summary_rows[#summary_rows].energy_ok, summary_rows[#summary_rows].accuracy_ok))
    end
  end
end
results:close()

local summary = run:csv("summary.csv", { "baseline", "users", "latency_mean", "latency_p95", "energy_w", "eff_accuracy",
                                         "hallucination", "offload", "energy_ok", "accuracy_ok", "hallucination_ok" })
for _, r in ipairs(summary_rows) do summary:add(r) end
summary:close()

run:plot { data = "results.csv", x = "users", y = "latency_mean", by = "baseline", band = "seed",
           file = "latency_vs_users.svg", title = "Mean latency vs users", ylabel = "latency (s)" }
run:plot { data = "results.csv", x = "users", y = "latency_p95", by = "baseline", band = "seed",
           file = "latency_p95_vs_users.svg", title = "95th-percentile latency vs users", ylabel = "p95 latency (s)" }
run:plot { data = "results.csv", x = "users", y = "energy_violation_rate", by = "baseline", band = "seed",
           file = "energy_violation_vs_users.svg", title = "Energy budget violations (devices, long run)",
           ylabel = "violation rate" }
run:plot { data = "results.csv", x = "users", y = "accuracy_violation_rate", by = "baseline", band = "seed",
           file = "accuracy_violation_vs_users.svg", title = "Effective-accuracy constraint violations (devices, long run)",
           ylabel = "violation rate" }
run:plot { data = "results.csv", x = "users", y = "effective_accuracy", by = "baseline", band = "seed",
           file = "effective_accuracy_vs_users.svg", title = "Effective accuracy (answers within the deadline)" }
run:table("Baselines vs users (means over seeds; *_ok = 1 − violation rate)", "summary.csv")
run:note(("Scenario %q, rho = %s, horizon %d slots, %d seed(s) × %d episode(s). min-energy, greedy, "
  .. "Lyapunov and lyapunov-exhaustive (its exact per-slot solver, N ≤ 10) use full knowledge of the slot; lookahead is "
  .. "clairvoyant MPC on a clone of the env. Violation rates: fraction of devices whose long-run average misses the limit.")
  :format(cfg.scenario, tostring(cfg.rho), cfg.horizon, cfg.seeds, cfg.episodes))
