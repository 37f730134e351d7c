// Evaluation of any policy (baseline or learned) on the MEC env.
//
// For each seed in `seeds`: reset(seed:) then `episodes` episodes (later ones continue the env's episode
// stream, so virtual queues / multipliers carry over, MECEnv.reset); the policy is reset with a seed derived
// from (seed, episode). Every settled query counts (MECEnv+LongRun.swift: realized latency, so continuous
// batching's slow-downs by later joiners are included).
// Reported (definitions):
//   latency mean / p50 / p95   over all settled queries (s; percentiles by linear interpolation, as numpy)
//   energyPerDeviceW           mean over devices of the device's long-run power (J / evaluated seconds)
//   effectiveAccuracy          mean over queries of accuracy·1[latency ≤ deadline]
//   accuracy, hallucination    mean over queries of the answering model's accuracy / hallucination
//   deadlineMissRate, offloadFraction   fraction of queries
// Constraints are long-run averages per device, pooled over every evaluated episode and seed (the devices
// are fixed by the layout; their long run is all the slots they were evaluated for):
//   energyViolationRate        fraction of devices whose long-run power exceeds their class budget
//   accuracyViolationRate      fraction of devices (with queries) whose long-run effective accuracy < A_min
//   hallucinationViolationRate fraction of devices (with queries) whose long-run hallucination > H_max
//   classes                    per device class: devices, long-run power (mean and worst device), budget,
//                              energy slack = budget − worst device's power (< 0: violated), effective
//                              accuracy and hallucination pooled over the class's queries, their slacks
//                              (Ā − A_min, H_max − H̄), and the class's device violation rates
// and, clearly named as the per-episode view (not the constraint): energyEpisodeViolationRate (fraction of
// device-episodes whose episode power exceeds the budget), accuracyEpisodeViolationRate and
// hallucinationEpisodeViolationRate (fraction of episodes whose mean over all queries misses the limit).
//   meanReturn                 mean undiscounted episode return (the env's reward)
import Statistics
import Foundation
import EnvKit
import TensorCore

/// Long-run constraint report of one device class.
public struct MECClassReport: Codable, Sendable, Equatable {
  public var deviceClass = "", devices = 0, queries = 0
  public var energyW = 0.0, energyMaxW = 0.0, energyBudgetW = 0.0, energySlackW = 0.0
  public var effectiveAccuracy = 0.0, accuracySlack = 0.0, hallucination = 0.0, hallucinationSlack = 0.0
  public var energyViolationRate = 0.0, accuracyViolationRate = 0.0, hallucinationViolationRate = 0.0
}

public struct MECEvaluation: Codable, Sendable, Equatable {
  public var policy = ""
  public var episodes = 0
  public var queries = 0
  public var latencyMean = 0.0, latencyP50 = 0.0, latencyP95 = 0.0
  public var delayTransmit = 0.0, delayQueue = 0.0, delayCompute = 0.0
  public var energyPerDeviceW = 0.0
  public var effectiveAccuracy = 0.0, accuracy = 0.0, hallucination = 0.0
  public var deadlineMissRate = 0.0, offloadFraction = 0.0
  public var energyViolationRate = 0.0, accuracyViolationRate = 0.0, hallucinationViolationRate = 0.0
  public var energyEpisodeViolationRate = 0.0, accuracyEpisodeViolationRate = 0.0
  public var hallucinationEpisodeViolationRate = 0.0
  public var meanReturn = 0.0
  public var seconds = 0.0
  /// Per device class, sorted by class name.
  public var classes: [MECClassReport] = []
  /// Per user: long-run power (W), settled queries, long-run effective accuracy and hallucination.
  public var userEnergyW: [Double] = [], userQueries: [Int] = []
  public var userEffectiveAccuracy: [Double] = [], userHallucination: [Double] = []

  /// Named scalar view (sorted keys for writers).
  public var dictionary: [String: Double] {
    ["episodes": Double(episodes), "queries": Double(queries), "latency_mean": latencyMean,
     "latency_p50": latencyP50, "latency_p95": latencyP95, "delay_transmit": delayTransmit,
     "delay_queue": delayQueue, "delay_compute": delayCompute, "energy_per_device_w": energyPerDeviceW,
     "effective_accuracy": effectiveAccuracy, "accuracy": accuracy, "hallucination": hallucination,
     "deadline_miss_rate": deadlineMissRate, "offload_fraction": offloadFraction,
     "energy_violation_rate": energyViolationRate, "accuracy_violation_rate": accuracyViolationRate,
     "hallucination_violation_rate": hallucinationViolationRate,
     "energy_episode_violation_rate": energyEpisodeViolationRate,
     "accuracy_episode_violation_rate": accuracyEpisodeViolationRate,
     "hallucination_episode_violation_rate": hallucinationEpisodeViolationRate,
     "mean_return": meanReturn, "seconds": seconds]
  }
}

/// Percentile (0…100) of sorted values by linear interpolation between closest ranks (numpy's default).
public func percentile(sorted v: [Double], _ p: Double) -> Double { Stats.quantile(sorted: v, p / 100) }

public enum MECEvaluator {
  public static func evaluate<P: Policy>(_ policy: inout P, env: MECEnv, episodes: Int = 1,
                                         seeds: [UInt64] = [1]) throws -> MECEvaluation {
    guard episodes >= 1 else { throw MECError.invalidPolicy("evaluate needs episodes >= 1 (got \(episodes))") }
    guard !seeds.isEmpty else { throw MECError.invalidPolicy("evaluate needs at least one seed") }
    try Limits.size(episodes, max: 1_000_000, name: "episodes", min: 1)
    try Limits.size(seeds.count, max: 1_000_000, name: "number of seeds", min: 1)
    let t0 = DispatchTime.now().uptimeNanoseconds
    let s = env.scenario, n = env.numUsers
    var r = MECEvaluation()
    r.policy = policy.name
    var lats: [Double] = []
    var tx = 0.0, qu = 0.0, cp = 0.0, miss = 0.0, off = 0.0, eff = 0.0, acc = 0.0, hal = 0.0
    var epViolE = 0, accViol = 0, halViol = 0, retSum = 0.0, slots = 0
    var sums = MECLongRun(users: n)
    var epEnergy = [Double](repeating: 0, count: n)
    for seed in seeds {
      for ep in 0..<episodes {
        var (obs, _) = env.reset(seed: ep == 0 ? seed : nil)
        policy.reset(seed: seed &* 1_000_003 &+ UInt64(ep))
        for u in 0..<n { epEnergy[u] = 0 }
        var epEff = 0.0, epHal = 0.0, epQ = 0, ret = 0.0
        while true {
          try Cancellation.check()
          let a = try policy.act(obs: obs, mask: env.actionMask(), env: env)
          let st = try env.step(a)
          ret += Double(st.reward)
          slots += 1
          let o = env.lastOutcome
          for i in 0..<env.lastQueries.count {
            tx += o.transmit[i]; qu += o.queue[i]; cp += o.compute[i]
          }
          for q in env.lastSettled {
            lats.append(q.latency)
            eff += q.effAccuracy; acc += q.accuracy; hal += q.hallucination
            epEff += q.effAccuracy; epHal += q.hallucination; epQ += 1
            if q.latency > s.deadlineSeconds { miss += 1 }
            if q.offloaded { off += 1 }
            sums.add(q)
          }
          for u in 0..<n { epEnergy[u] += o.userEnergy[u]; sums.energy[u] += o.userEnergy[u] }
          obs = st.obs
          if st.done { break }
        }
        let secs = Double(s.horizon) * s.slotSeconds
        for u in 0..<n where epEnergy[u] / secs > env.energyBudget[u] { epViolE += 1 }
        if epQ > 0 {
          if epEff / Double(epQ) < s.minAccuracy { accViol += 1 }
          if epHal / Double(epQ) > s.maxHallucination { halViol += 1 }
        }
        retSum += ret
        r.episodes += 1
      }
    }
    let nq = Double(max(lats.count, 1))
    r.queries = lats.count
    r.latencyMean = lats.reduce(0, +) / nq
    lats.sort()
    r.latencyP50 = lats.isEmpty ? 0 : percentile(sorted: lats, 50)
    r.latencyP95 = lats.isEmpty ? 0 : percentile(sorted: lats, 95)
    // Decision-time delay split (projection for continuous batching); the realized latency is latencyMean.
    r.delayTransmit = tx / nq; r.delayQueue = qu / nq; r.delayCompute = cp / nq
    r.effectiveAccuracy = eff / nq; r.accuracy = acc / nq; r.hallucination = hal / nq
    r.deadlineMissRate = miss / nq; r.offloadFraction = off / nq
    r.energyEpisodeViolationRate = Double(epViolE) / Double(r.episodes * n)
    r.accuracyEpisodeViolationRate = Double(accViol) / Double(r.episodes)
    r.hallucinationEpisodeViolationRate = Double(halViol) / Double(r.episodes)
    r.meanReturn = retSum / Double(r.episodes)
    longRun(&r, sums: sums, seconds: Double(slots) * s.slotSeconds, env: env)
    r.seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    return r
  }

  /// Per-device long-run averages, device violation rates and the per-class report from pooled sums.
  static func longRun(_ r: inout MECEvaluation, sums: MECLongRun, seconds: Double, env: MECEnv) {
    let s = env.scenario, n = env.numUsers
    r.userEnergyW = sums.energy.map { $0 / seconds }
    r.userQueries = sums.queries
    r.userEffectiveAccuracy = (0..<n).map { sums.queries[$0] > 0 ? sums.effAccuracy[$0] / Double(sums.queries[$0]) : .nan }
    r.userHallucination = (0..<n).map { sums.queries[$0] > 0 ? sums.hallucination[$0] / Double(sums.queries[$0]) : .nan }
    r.energyPerDeviceW = r.userEnergyW.reduce(0, +) / Double(n)
    let withQ = (0..<n).filter { sums.queries[$0] > 0 }
    r.energyViolationRate = Double((0..<n).filter { r.userEnergyW[$0] > env.energyBudget[$0] }.count) / Double(n)
    r.accuracyViolationRate = withQ.isEmpty ? 0
      : Double(withQ.filter { r.userEffectiveAccuracy[$0] < s.minAccuracy }.count) / Double(withQ.count)
    r.hallucinationViolationRate = withQ.isEmpty ? 0
      : Double(withQ.filter { r.userHallucination[$0] > s.maxHallucination }.count) / Double(withQ.count)
    var byClass: [String: [Int]] = [:]
    for u in 0..<n { byClass[env.layout.users[u].device.deviceClass.rawValue, default: []].append(u) }
    r.classes = byClass.keys.sorted().map { name in
      let us = byClass[name]!
      var c = MECClassReport()
      c.deviceClass = name
      c.devices = us.count
      c.queries = us.reduce(0) { $0 + sums.queries[$1] }
      c.energyW = us.reduce(0) { $0 + r.userEnergyW[$1] } / Double(us.count)
      c.energyMaxW = us.map { r.userEnergyW[$0] }.max()!
      c.energyBudgetW = env.energyBudget[us[0]]
      c.energySlackW = c.energyBudgetW - c.energyMaxW
      let q = Double(max(c.queries, 1))
      c.effectiveAccuracy = us.reduce(0) { $0 + sums.effAccuracy[$1] } / q
      c.hallucination = us.reduce(0) { $0 + sums.hallucination[$1] } / q
      c.accuracySlack = c.queries > 0 ? c.effectiveAccuracy - s.minAccuracy : 0
      c.hallucinationSlack = c.queries > 0 ? s.maxHallucination - c.hallucination : 0
      c.energyViolationRate = Double(us.filter { r.userEnergyW[$0] > c.energyBudgetW }.count) / Double(us.count)
      let uq = us.filter { sums.queries[$0] > 0 }
      c.accuracyViolationRate = uq.isEmpty ? 0 : Double(uq.filter { r.userEffectiveAccuracy[$0] < s.minAccuracy }.count) / Double(uq.count)
      c.hallucinationViolationRate = uq.isEmpty ? 0 : Double(uq.filter { r.userHallucination[$0] > s.maxHallucination }.count) / Double(uq.count)
      return c
    }
  }
}
