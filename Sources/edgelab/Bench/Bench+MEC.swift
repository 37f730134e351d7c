import EnvKit
import Foundation
import MEC

/// `edgelab bench mec`: MEC environment throughput and baseline evaluation cost (single thread).
/// - continuous batching vs the original slot-batch edge at N = 50 (same scenario otherwise, both in this run):
///   user-slots/s of each and their ratio; target ≥ 1M user-slots/s per core with continuous batching.
/// - env steps/s with a fixed action vector (no policy; users alternate offload/local, outage masking off so
///   the fixed vector is always allowed) at N = 10 and 50, default arrival rate (0.02/slot) and a busy
///   variant (0.3/slot); reported as user-slots/s (= steps/s × N), target ≥ 100k per core.
/// - the same through `VectorEnv` (8 envs, autoreset), user-slots/s over all sub-envs.
/// - wall time of `MECEvaluator.evaluate` for one 200-slot episode per baseline at N = 10 (oracle: exhaustive).
extension BenchSuite {
  static let mec = BenchSuite(name: "mec", summary: "MEC env user-slots/s (single, vectorised) and baseline evaluation time") { report in
    let slots = report.quick ? 2_000 : 40_000
    func scenario(_ n: Int, _ rate: Double) -> MECScenario {
      var s = MECScenario()
      s.users = n; s.arrivalRate = rate; s.outageSNRdB = -1000
      return s
    }
    func fixedAction(_ n: Int) -> [Int] { (0..<n).map { $0 % 2 } }
    var perScheduler: [EdgeScheduler: Double] = [:]
    for sched in [EdgeScheduler.continuous, .slotBatch] {
      var sc = scenario(50, 0.02)
      sc.edgeScheduler = sched
      let env = try MECEnv(scenario: sc)
      let a = fixedAction(50)
      _ = env.reset(seed: 1)
      // Thread CPU time as well as wall time: on a shared machine the wall rate understates a core's rate.
      var cpu: [Double] = []
      let t = try BenchReport.time(repeats: 3) {
        let c0 = threadCPUSeconds()
        for _ in 0..<slots {
          let st = try env.step(a)
          if st.done { _ = env.reset(seed: nil) }
        }
        cpu.append(threadCPUSeconds() - c0)
      }.median
      let cpuMedian = cpu.sorted()[cpu.count / 2]
      perScheduler[sched] = Double(slots * 50) / cpuMedian
      report.record("env_user_slots_per_s_N50_\(sched.rawValue)", Double(slots * 50) / t, unit: "user-slots/s",
                    lowerIsBetter: false)
      report.record("env_user_slots_per_cpu_s_N50_\(sched.rawValue)", Double(slots * 50) / cpuMedian,
                    unit: "user-slots/CPU-s", target: sched == .continuous ? 1_000_000 : nil, lowerIsBetter: false)
    }
    report.record("continuous_over_slot_batch_speed_ratio_N50_cpu", perScheduler[.continuous]! / perScheduler[.slotBatch]!,
                  unit: "x", lowerIsBetter: false)
    for (n, rate, tag) in [(10, 0.02, ""), (50, 0.02, ""), (10, 0.3, "_busy"), (50, 0.3, "_busy")] {
      let env = try MECEnv(scenario: scenario(n, rate))
      let a = fixedAction(n)
      _ = env.reset(seed: 1)
      let t = try BenchReport.time(repeats: 3) {
        for _ in 0..<slots {
          let st = try env.step(a)
          if st.done { _ = env.reset(seed: nil) }
        }
      }.median
      report.record("env_user_slots_per_s_N\(n)\(tag)", Double(slots * n) / t, unit: "user-slots/s",
                    target: 100_000, lowerIsBetter: false, extra: ["steps_per_s": Double(slots) / t, "arrival_rate": rate])
    }
    for n in [10, 50] {
      let count = 8
      let vec = try VectorEnv(count: count) { _ in try MECEnv(scenario: scenario(n, 0.02)) }
      vec.reset(seed: 1)
      let a = [Int]((0..<count).flatMap { _ in fixedAction(n) })
      let steps = slots / count
      let t = try BenchReport.time(repeats: 3) { for _ in 0..<steps { try vec.step(a) } }.median
      report.record("vector_env_user_slots_per_s_N\(n)_x\(count)", Double(steps * count * n) / t, unit: "user-slots/s",
                    target: 100_000, lowerIsBetter: false, extra: ["vector_steps_per_s": Double(steps) / t])
    }
    let env = try MECEnv("paper") { $0.users = 10 }
    for k in MECBaselineKind.allCases {
      var p = MECBaseline(k, seed: 1)
      let t = try BenchReport.time(repeats: report.quick ? 1 : 3) {
        _ = try MECEvaluator.evaluate(&p, env: env, episodes: 1, seeds: [1])
      }.median
      report.record("evaluate_\(k.rawValue)_N10_200slots_s", t, unit: "s")
    }
    // Busy slots (arrival rate 0.3): the full-knowledge baselines preview many joint actions per slot.
    let busy = try MECEnv("paper") { $0.users = 10; $0.arrivalRate = 0.3; $0.localVariants = 2 }
    for k in [MECBaselineKind.greedy, .lyapunov, .lyapunovExhaustive, .lookahead] {
      var p = MECBaseline(k, seed: 1)
      let t = try BenchReport.time(repeats: report.quick ? 1 : 3) {
        _ = try MECEvaluator.evaluate(&p, env: busy, episodes: 1, seeds: [1])
      }.median
      report.record("evaluate_\(k.rawValue)_N10_busy_3choices_200slots_s", t, unit: "s")
    }
    report.note("slots_per_measurement", slots)
    report.note("scenario", "paper (users, arrivalRate varied; outage masking off for fixed actions)")
  }
}

/// CPU seconds this thread has run (CLOCK_THREAD_CPUTIME_ID).
private func threadCPUSeconds() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
  return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
