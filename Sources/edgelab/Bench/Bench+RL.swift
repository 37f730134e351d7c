import EnvKit
import Foundation
import MEC
import RL
import TensorCore

/// `edgelab bench rl`: PPO and WM-PPO training throughput on the MEC `paper` scenario, N = 10 users,
/// the PPOConfig defaults (64-64 tanh actor/critic, 4 envs × 128 steps, 4 epochs × 4 minibatches).
/// - PPO env steps/s over whole iterations (rollout + GAE + update), after one warm-up iteration;
/// - WM-PPO trains its world model overlapped with the next rollout by default (a second thread,
///   docs/decisions/0206): a timed block of its iterations starts and ends with one training job in flight;
/// - WM-PPO wall time per env step with the default settings (world model trained every iteration; the gate
///   decides whether imagination runs), with the gate forced open (default skill weighting), and at full
///   strength (gate off, no warm-up, fixed blend weight and rollout ratio) — each as a ratio to PPO's time per
///   env step, blocks of iterations interleaved with a PPO reference and compared by their medians (target
///   ≤ 2×); full strength also with synchronous model training, split into its phases (model training on the
///   main thread and in the jobs, value targets, rollouts; the extra PPO update work on imagined samples is not
///   split out), and with imagined rollouts switched on (off by default, docs/decisions/0202);
/// - the world model's share: one training pass and one filtering pass over a rollout.
/// - WM-PPO with the perfect model (imagination on exact env snapshots) as a ratio to PPO;
/// - PPO on CartPole-v1 with CleanRL's ppo.py settings (4 envs × 128 steps, 4 epochs × 4 minibatches, 64-64 tanh,
///   no observation/reward normalisation), env steps/s over whole iterations — the figure compared with
///   stable-baselines3 on the same settings (SB3's own figure is measured outside this bench, see the note).
/// All on 1 OpenBLAS thread (see below).
extension BenchSuite {
  static let rl = BenchSuite(name: "rl", summary: "PPO env steps/s and WM-PPO time per env step vs PPO (MEC N=10)") { report in
    // 64-wide networks: OpenBLAS threading costs more than it gains on this shared 2-core machine (measured
    // PPO ≈ 12k steps/s with 2 threads vs ≈ 38k with 1), and its timing noise swamps the ratios. Measure on 1.
    let threads = BLAS.threads
    BLAS.setThreads(1)
    defer { BLAS.setThreads(threads) }
    let cfg = PPOConfig()   // the defaults: 4 envs × 128 steps
    let make: (Int) throws -> MECEnv = { _ in try MECEnv("paper") { $0.users = 10 } }
    // Each WM-PPO variant runs blocks of `block` iterations alternately with blocks of a PPO reference (after one
    // warm-up iteration each: allocations, the first world-model pass), so both see the same machine load; the
    // ratio is the ratio of the median block times (a load spike hits a block, not the median). WM-PPO trains its
    // world model overlapped with the next rollout (WMPPO+Overlap.swift): a timed WM-PPO block starts and ends
    // with one training job in flight, as in the middle of a long run, and the job left at its end is joined
    // before the next PPO block starts (so no WM-PPO work runs inside a PPO block).
    let block = report.quick ? 2 : 8, repeats = report.quick ? 1 : 3, iterations = block * repeats
    let reference = try PPO(config: cfg, seed: 1, totalSteps: 1_000_000, makeEnv: make)
    var ppoTimes: [Double] = []
    func seconds(_ body: () throws -> Void) rethrows -> Double {
      let t0 = DispatchTime.now().uptimeNanoseconds
      try body()
      return Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
    }
    func median(_ a: [Double]) -> Double { let s = a.sorted(); return s[s.count / 2] }
    /// Median wall seconds per env step of `p` and of the PPO reference, blocks interleaved.
    func perStepPair(_ p: PPO<MECEnv>?) throws -> (run: Double, ppo: Double) {
      try reference.runIteration()
      try p?.runIteration()
      try p?.worldModel?.settle()
      var run: [Double] = [], ref: [Double] = []
      for _ in 0..<repeats {
        ref.append(try seconds { for _ in 0..<block { try reference.runIteration() } })
        if let p {
          try p.runIteration()   // untimed: the timed block starts with one job in flight, as mid-run
          run.append(try seconds { for _ in 0..<block { try p.runIteration() } })   // … and ends with one
          try p.worldModel?.settle()   // untimed: the PPO block that follows runs alone
        }
      }
      ppoTimes += ref.map { $0 / Double(block) }
      let n = Double(block * cfg.batchSize)
      return (run.isEmpty ? 0 : median(run) / n, median(ref) / n)
    }
    var ppo = try perStepPair(nil).ppo
    report.record("ppo_env_steps_per_s", 1 / ppo, unit: "steps/s", lowerIsBetter: false,
                  extra: ["users": 10, "num_envs": cfg.numEnvs, "num_steps": cfg.numSteps, "hidden": cfg.hidden])
    /// Ratio of a WM-PPO variant's time per env step to PPO's, measured interleaved.
    func ratio(_ p: PPO<MECEnv>) throws -> (ratio: Double, perStep: Double) {
      let (run, ref) = try perStepPair(p)
      ppo = ref
      return (run / ref, run)
    }
    let wmDefault = try ratio(try PPO.wmppo(config: cfg, wm: WMPPOConfig(), seed: 1, totalSteps: 1_000_000, makeEnv: make))
    var forced = WMPPOConfig()
    // Worst case: every part on every iteration at full strength (no gate, no warm-up, fixed blend weight,
    // rollout ratio not scaled by the target skill).
    forced.gate = false; forced.warmupIterations = 0; forced.betaMode = .fixed; forced.rolloutSkill = false
    let wmp = try PPO.wmppo(config: cfg, wm: forced, seed: 1, totalSteps: 1_000_000, makeEnv: make)
    let wmForced = try ratio(wmp)
    let ppoForced = ppo
    // The same with synchronous model training (overlap off): what the second thread saves.
    var forcedSynchronous = forced
    forcedSynchronous.model.overlapTraining = false
    let wmForcedSync = try ratio(try PPO.wmppo(config: cfg, wm: forcedSynchronous, seed: 1, totalSteps: 1_000_000, makeEnv: make))
    report.record("wmppo_time_per_step_ratio_default", wmDefault.ratio, unit: "x PPO", target: 2,
                  extra: ["wmppo_env_steps_per_s": 1 / wmDefault.perStep])
    // Gate forced open with the default skill weighting: targets are probed on a quarter of the rows and
    // imagined in full (and rollouts made) only in proportion to their measured skill.
    var open = WMPPOConfig()
    open.gate = false; open.warmupIterations = 0
    let wmOpen = try ratio(try PPO.wmppo(config: cfg, wm: open, seed: 1, totalSteps: 1_000_000, makeEnv: make))
    report.record("wmppo_time_per_step_ratio_gate_open_skill", wmOpen.ratio, unit: "x PPO", target: 2,
                  extra: ["wmppo_env_steps_per_s": 1 / wmOpen.perStep])
    report.record("wmppo_time_per_step_ratio_imagination_on", wmForced.ratio, unit: "x PPO", target: 2,
                  extra: ["wmppo_env_steps_per_s": 1 / wmForced.perStep])
    report.record("wmppo_time_per_step_ratio_imagination_on_synchronous", wmForcedSync.ratio, unit: "x PPO",
                  extra: ["wmppo_env_steps_per_s": 1 / wmForcedSync.perStep])
    // The same with imagined rollouts in the batch (off by default since docs/decisions/0202).
    var withRollouts = forced
    withRollouts.rollouts = true
    let wmRollouts = try ratio(try PPO.wmppo(config: cfg, wm: withRollouts, seed: 1, totalSteps: 1_000_000, makeEnv: make))
    report.record("wmppo_time_per_step_ratio_imagination_on_with_rollouts", wmRollouts.ratio, unit: "x PPO",
                  extra: ["wmppo_env_steps_per_s": 1 / wmRollouts.perStep])
    if let wm = wmp.worldModel {
      // Phase sums over all its iterations (warm-up included) against the PPO time measured alongside.
      let n = Double((iterations + repeats + 1) * cfg.batchSize)   // warm-up + an untimed one per block
      // "train": the main thread's part (synchronous training, or the join and the filtering pass when
      // overlapped); "train_job": the overlapped jobs' own time on the second thread.
      for k in ["train", "train_job", "targets", "rollouts"] {
        report.record("wmppo_imagination_on_\(k)_ratio", (wm.timings[k] ?? 0) / n / ppoForced, unit: "x PPO")
      }
    }
    if let wm = wmp.worldModel, let buf = wm.recent.last {
      let m = wm.models[0]
      let train = try BenchReport.time(repeats: report.quick ? 1 : 3) { try m.train(on: buf) }.median
      let filt = try BenchReport.time(repeats: report.quick ? 1 : 3) { _ = try m.filter(buf) }.median
      report.record("world_model_train_pass_s", train, unit: "s", extra: ["rows": Double(buf.count)])
      report.record("world_model_filter_pass_s", filt, unit: "s", extra: ["rows": Double(buf.count)])
    }
    var sim = WMPPOConfig()
    sim.simulator = true; sim.warmupIterations = 0
    let wmSim = try ratio(try PPO.wmppo(config: cfg, wm: sim, seed: 1, totalSteps: 1_000_000, makeEnv: make))
    report.record("wmppo_perfect_model_time_per_step_ratio", wmSim.ratio, unit: "x PPO",
                  extra: ["wmppo_env_steps_per_s": 1 / wmSim.perStep])
    // How steady the machine was: the spread of all PPO reference iterations of this run.
    let sortedPPO = ppoTimes.sorted()
    report.note("ppo_iteration_seconds_min_median_max",
                "\(sortedPPO.first ?? 0) \(median(sortedPPO)) \(sortedPPO.last ?? 0) (block means) over \(sortedPPO.count) blocks of \(block)")
    var cp = PPOConfig()
    cp.numEnvs = 4; cp.numSteps = 128; cp.normalizeObservations = false; cp.normalizeRewards = false
    let cartpole = try PPO(config: cp, seed: 1, totalSteps: 1_000_000) { i in CartPole(seed: UInt64(i), maxSteps: 500) }
    try cartpole.runIteration()
    let tc = try BenchReport.time(repeats: 1, warmup: 0) { for _ in 0..<(iterations * 2) { try cartpole.runIteration() } }
    report.record("ppo_cartpole_env_steps_per_s", Double(iterations * 2 * cp.batchSize) / tc.median, unit: "steps/s",
                  lowerIsBetter: false, extra: ["num_envs": 4, "num_steps": 128, "hidden": 64])
    // stable-baselines3 on the same settings, measured by tools/reference/sb3_cartpole_speed.py (it needs torch, so
    // it runs in a Python venv, not here) and stored with its versions and load average; stale if the machine changed.
    let sb3Path = CLI.repoRoot().appendingPathComponent("tools/reference/sb3_cartpole_speed.json")
    if let data = try? Data(contentsOf: sb3Path),
       let j = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
       let sb3 = (j["sb3_cartpole_env_steps_per_s"] as? NSNumber)?.doubleValue, sb3 > 0 {
      let cartpoleSPS = Double(iterations * 2 * cp.batchSize) / tc.median
      report.record("ppo_cartpole_vs_sb3", cartpoleSPS / sb3, unit: "x SB3", target: 10, lowerIsBetter: false)
      report.note("sb3_reference", "stable-baselines3 \(j["stable_baselines3"] ?? "?") (torch \(j["torch"] ?? "?"), 1 thread) "
                  + "\(sb3) env steps/s on the same CartPole settings, measured \(j["date"] ?? "?") at load \(j["load_average"] ?? "?") "
                  + "by tools/reference/sb3_cartpole_speed.py")
    } else {
      report.note("sb3_reference", "no stable-baselines3 figure: run tools/reference/sb3_cartpole_speed.py in a venv with torch")
    }
    report.note("iterations_measured", iterations)
    report.note("blas_threads", 1)
    report.note("scenario", "MEC paper, users 10, rho 0.9; PPOConfig defaults (4 envs x 128 steps, 4 epochs x 4 minibatches)")
  }
}
