-- Does the MEC scenario pose the paper's problem at every population? For N = 5, 10, 20, 30, 50, runs
-- mec.diagnose on the `paper` scenario (and, for comparison, on `paper-legacy`, the scenario before decision
-- 0102) and prints: feasibility per device class under the minimum-energy policy (budget, worst device's
-- long-run power, headroom), the latency of every baseline including the look-ahead, the headroom of the best
-- full-knowledge baseline over both trivial ones, and which constraints bind for which policies.
--   edgelab run experiments/paper/tab_scenario.lua [--smoke] [--set seeds=5] [--set scenarios='{"paper"}']
-- The run fails (error) when `paper` does not pass diagnose at some N, unless allow_fail is set (the smoke
-- profile sets it: 30-slot episodes are too short to judge long-run constraints; smoke checks the plumbing).
local edgelab = require "edgelab"
local mec, lab = edgelab.mec, edgelab.lab

local cfg = lab.config {
  users = { 5, 10, 20, 30, 50 }, seeds = 3, episodes = 2, scenarios = { "paper", "paper-legacy" },
  must_pass = "paper", allow_fail = false, horizon = 200,
  smoke = { users = { 5 }, seeds = 1, episodes = 1, horizon = 30, scenarios = { "paper" }, allow_fail = true },
}
local run <close> = lab.run { name = "paper/tab_scenario", config = cfg }

local seeds = {}
for s = 1, cfg.seeds do seeds[s] = s end
local pol_csv = run:csv("policies.csv", { "scenario", "users", "policy", "latency_mean", "energy_violation_rate",
  "accuracy_violation_rate", "hallucination_violation_rate", "effective_accuracy", "hallucination", "offload_fraction" })
local cls_csv = run:csv("classes.csv", { "scenario", "users", "device_class", "devices", "budget_w", "min_energy_w",
  "headroom_w", "feasible" })
local sum_csv = run:csv("summary.csv", { "scenario", "users", "feasible", "headroom", "best_policy", "best_latency",
  "always_local_latency", "always_offload_latency", "best_meets_energy", "binding_energy", "binding_accuracy",
  "binding_hallucination", "passed", "verdict" })

local failures = {}
for _, scen in ipairs(cfg.scenarios) do
  for _, n in ipairs(cfg.users) do
    local d = mec.diagnose({ scenario = scen, users = n, horizon = cfg.horizon },
                           { seeds = seeds, episodes = cfg.episodes })
    print(("\n== %s, N = %d: %s"):format(scen, n, d.verdict))
    for _, c in ipairs(d.classes) do
      print(("   class %-13s devices %2d  budget %6.2f W  min-energy worst %7.3f W  headroom %7.3f W  %s"):format(
        c.device_class, c.devices, c.budget_w, c.min_energy_w, c.headroom_w, c.feasible and "feasible" or "INFEASIBLE"))
      cls_csv:add { scenario = scen, users = n, device_class = c.device_class, devices = c.devices, budget_w = c.budget_w,
                    min_energy_w = c.min_energy_w, headroom_w = c.headroom_w, feasible = c.feasible and 1 or 0 }
    end
    for _, p in ipairs(d.policies) do
      print(("   %-15s latency %7.2f s  violations (devices) energy %.2f accuracy %.2f hallucination %.2f  offload %.2f"):format(
        p.policy, p.latency_mean, p.energy_violation_rate, p.accuracy_violation_rate, p.hallucination_violation_rate,
        p.offload_fraction))
      pol_csv:add { scenario = scen, users = n, policy = p.policy, latency_mean = p.latency_mean,
                    energy_violation_rate = p.energy_violation_rate, accuracy_violation_rate = p.accuracy_violation_rate,
                    hallucination_violation_rate = p.hallucination_violation_rate, effective_accuracy = p.effective_accuracy,
                    hallucination = p.hallucination, offload_fraction = p.offload_fraction }
    end
    print(("   headroom %.1f%% (best %s %.2f s vs local %.2f s, offload %.2f s; best meets energy: %s)"):format(
      100 * d.headroom, d.best_policy, d.best_latency, d.always_local_latency, d.always_offload_latency,
      tostring(d.best_meets_energy)))
    local function names(t) return #t > 0 and table.concat(t, " ") or "-" end
    print(("   binding: energy [%s]  accuracy [%s]  hallucination [%s]"):format(names(d.binding_energy),
      names(d.binding_accuracy), names(d.binding_hallucination)))
    sum_csv:add { scenario = scen, users = n, feasible = d.feasible and 1 or 0, headroom = d.headroom,
                  best_policy = d.best_policy, best_latency = d.best_latency, always_local_latency = d.always_local_latency,
                  always_offload_latency = d.always_offload_latency, best_meets_energy = d.best_meets_energy and 1 or 0,
                  binding_energy = names(d.binding_energy), binding_accuracy = names(d.binding_accuracy),
                  binding_hallucination = names(d.binding_hallucination), passed = d.passed and 1 or 0, verdict = d.verdict }
    if scen == cfg.must_pass and not d.passed then failures[#failures + 1] = ("N=%d: %s"):format(n, d.verdict) end
  end
end
pol_csv:close(); cls_csv:close(); sum_csv:close()
run:table("Scenario diagnosis per population (summary)", "summary.csv")
run:note(("%d seed(s) × %d episode(s) of %d slots per point; long-run per-device constraint accounting; "
  .. "lookahead = clairvoyant MPC on a clone of the env (%d slots)."):format(cfg.seeds, cfg.episodes, cfg.horizon, 4))
if #failures > 0 and not cfg.allow_fail then
  error(("scenario '%s' fails diagnose:\n  %s"):format(cfg.must_pass, table.concat(failures, "\n  ")))
end
