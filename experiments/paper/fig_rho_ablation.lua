-- Paper ablation: WM-PPO vs PPO as the Gauss–Markov fading correlation ρ varies (0 = i.i.d. channel, 0.5, 0.9).
-- The world model can only help where the next slot is predictable from the current one, so WM-PPO's advantage
-- (if any) should grow with ρ.
--   edgelab run experiments/paper/fig_rho_ablation.lua [--smoke] [--set seeds=5] [--set steps=100000]
-- Protocol as fig_convergence.lua (lua/edgelab/report.lua): deterministic evaluation every `every` steps on
-- eval_seeds, final evaluation on final_seeds; per ρ, steps-to-threshold uses that ρ's PPO final return (IQM).
-- Full-profile cost: 3 ρ × 3 seeds × 60k steps × (PPO ≈ 7 s + WM-PPO ≈ 16 s under load ≈ 13) + evaluations
-- ≈ 5–8 min on the shared 2-core machine.
local edgelab = require "edgelab"
local report = require "edgelab.report"
local mec, lab, stats = edgelab.mec, edgelab.lab, edgelab.stats

local cfg = lab.config {
  rhos = { 0, 0.5, 0.9 }, seeds = 3, steps = 60000, users = 10, every = 5120, eval_seeds = { 10001, 10002 },
  final_seeds = { 20001, 20002, 20003, 20004 }, num_envs = 8, num_steps = 128,
  allow_failing_scenario = false,
  smoke = { allow_failing_scenario = true, rhos = { 0, 0.9 }, seeds = 1, steps = 512, every = 256, num_envs = 2, num_steps = 64,
            eval_seeds = { 10001 }, final_seeds = { 20001 } },
}
local run <close> = lab.run { name = "paper/fig_rho_ablation", config = cfg }
-- The scenario must pose the problem before any figure is made (decision 0104; smoke runs are too short to judge).
do
  local d = edgelab.mec.diagnose({ scenario = "paper", users = cfg.users }, { seeds = { 1, 2, 3 }, episodes = 2 })
  print("diagnose: " .. d.verdict)
  assert(d.passed or cfg.allow_failing_scenario, "scenario 'paper' does not pose the problem: " .. d.verdict)
end
print(("load average at start: %s"):format(tostring(report.loadavg())))
local agents = { { name = "PPO", kind = "ppo" }, { name = "WM-PPO", kind = "wmppo" } }
local learning = run:csv("learning.csv", { "series", "agent", "rho", "seed", "step", "mean_return", "imagination_on" })
local final = run:csv("final.csv", { "agent", "rho", "seed", "final_return", "latency_mean", "auc", "energy_violation_rate",
  "accuracy_violation_rate", "wall_s" })
local res = {}   -- res[rho][agent] = { curves = {}, finals = {} }
local T0 = edgelab.clock()
for _, rho in ipairs(cfg.rhos) do
  local env = mec.env { scenario = "paper", users = cfg.users, rho = rho }
  res[rho] = {}
  for _, a in ipairs(agents) do
    local r = { curves = {}, finals = {} }
    res[rho][a.name] = r
    local series = ("%s ρ=%s"):format(a.name, tostring(rho))
    for seed = 1, cfg.seeds do
      local curve, m, wall = report.train_curve {
        kind = a.kind, env = env, seed = seed, steps = cfg.steps, every = cfg.every, eval_seeds = cfg.eval_seeds,
        final_seeds = cfg.final_seeds, num_envs = cfg.num_envs, num_steps = cfg.num_steps,
        on_eval = function(step, s)
          learning:add { series = series, agent = a.name, rho = rho, seed = seed, step = step,
                         mean_return = s.mean_return, imagination_on = s.imagination_on }
        end }
      local row = { agent = a.name, rho = rho, seed = seed, final_return = m.mean_return, latency_mean = m.latency_mean,
        auc = report.auc(curve), energy_violation_rate = m.energy_violation_rate,
        accuracy_violation_rate = m.accuracy_violation_rate, wall_s = wall }
      final:add(row)
      r.curves[seed], r.finals[seed] = curve, row
      print(("ρ=%-4s %-7s seed %d  final %.2f  latency %.2f s  AUC %.1f  %.1f s"):format(
        tostring(rho), a.name, seed, m.mean_return, m.latency_mean, row.auc, wall))
    end
  end
end
learning:close()
final:close()

local summary = run:csv("summary.csv", { "rho", "agent", "final_iqm", "final_lo", "final_hi", "auc_mean", "latency_mean",
  "steps_iqm", "reached", "final_abs_change_vs_ppo_pct", "auc_change_vs_ppo_pct", "steps_ratio_vs_ppo" })
for _, rho in ipairs(cfg.rhos) do
  local Rf = stats.iqm(report.col(res[rho].PPO.finals, "final_return"))
  local thr = report.threshold(Rf)
  local S = {}
  for i, a in ipairs(agents) do
    local r = res[rho][a.name]
    local steps, reached = {}, 0
    for s = 1, cfg.seeds do
      local hit, ok = report.steps_to(r.curves[s], thr, cfg.steps)
      steps[#steps + 1] = hit
      if ok then reached = reached + 1 end
    end
    local fi, flo, fhi = stats.bootstrap_ci(report.col(r.finals, "final_return"), { stat = "iqm", seed = i })
    S[a.name] = { final = fi, lo = flo, hi = fhi, auc = stats.mean(report.col(r.finals, "auc")),
                  latency = stats.mean(report.col(r.finals, "latency_mean")), steps = stats.iqm(steps), reached = reached }
  end
  for _, a in ipairs(agents) do
    local s, p = S[a.name], S.PPO
    summary:add { rho = rho, agent = a.name, final_iqm = s.final, final_lo = s.lo, final_hi = s.hi, auc_mean = s.auc,
      latency_mean = s.latency, steps_iqm = s.steps, reached = s.reached,
      final_abs_change_vs_ppo_pct = report.change_pct(math.abs(s.final), math.abs(p.final)),
      auc_change_vs_ppo_pct = report.change_pct(s.auc, p.auc), steps_ratio_vs_ppo = s.steps / p.steps }
  end
end
summary:close()

run:plot { data = "final.csv", x = "rho", y = "final_return", by = "agent", band = "seed", kind = "bar",
           file = "final_return_vs_rho.svg", title = "Final evaluation return vs fading correlation ρ (mean, 95% CI)",
           xlabel = "ρ", ylabel = "final return" }
run:plot { data = "final.csv", x = "rho", y = "auc", by = "agent", band = "seed", kind = "bar",
           file = "auc_vs_rho.svg", title = "Mean return over training (AUC) vs ρ", xlabel = "ρ", ylabel = "AUC return" }
report.cost_curves(run, { csv = "learning.csv", by = "series", file = "learning_by_rho.svg",
  title = "Evaluation cost per ρ (mean, 95% CI over seeds)" })
run:table("Per ρ: final return (IQM, 95% bootstrap CI), AUC, steps-to-threshold and changes vs PPO", "summary.csv")
run:note(("%d seed(s) × %d env steps per agent and ρ; N = %d users. |return| change < 0 means lower cost than PPO. "
  .. "Total wall time %.0f s.") :format(cfg.seeds, cfg.steps, cfg.users, (edgelab.clock() - T0)))
