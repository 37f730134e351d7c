// Evaluation of any policy (baseline or learned) on the MEC env.
//
// For each seed in `seeds`: reset(seed:) then `episodes` episodes (later ones continue the env's episode
// stream); the policy is reset with a seed derived from (seed, episode). Every query of every slot counts.
// Reported (definitions):
//   latency mean / p50 / p95   over all queries (s; percentiles by linear interpolation, as numpy)
//   energyPerDeviceW           mean over (device, episode) of the device's query energy / episode seconds
//   effectiveAccuracy          mean over queries of accuracy·1[latency ≤ deadline]
//   accuracy, hallucination    mean over queries of the answering model's accuracy / hallucination
//   deadlineMissRate, offloadFraction   fraction of queries
//   energyViolationRate        fraction of (device, episode) pairs whose average power exceeds the budget
//   accuracyViolationRate      fraction of episodes whose mean effective accuracy is below A_min
//   hallucinationViolationRate fraction of episodes whose mean hallucination exceeds H_max
//   meanReturn                 mean undiscounted episode return (the env's reward)
import Statistics
import Foundation
import EnvKit
import TensorCore

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
  public var meanReturn = 0.0
  public var seconds = 0.0

  /// Named scalar view (sorted keys for writers).
  public var dictionary: [String: Double] {
    ["episodes": Double(episodes), "queries": Double(queries), "latency_mean": latencyMean,
     "latency_p50": latencyP50, "latency_p95": latencyP95, "delay_transmit": delayTransmit,
     "delay_queue": delayQueue, "delay_compute": delayCompute, "energy_per_device_w": energyPerDeviceW,
     "effective_accuracy": effectiveAccuracy, "accuracy": accuracy, "hallucination": hallucination,
     "deadline_miss_rate": deadlineMissRate, "offload_fraction": offloadFraction,
     "energy_violation_rate": energyViolationRate, "accuracy_violation_rate": accuracyViolationRate,
     "hallucination_violation_rate": hallucinationViolationRate, "mean_return": meanReturn, "seconds": seconds]
  }
}

/// Percentile (0…100) of sorted values by linear interpolation between closest ranks (numpy's default).
public func percentile(sorted v: [Double], _ p: Double) -> Double { Stats.quantile(sorted: v, p / 100) }

public enum MECEvaluator {
  public static func evaluate<P: Policy>(_ policy: inout P, env: MECEnv, episodes: Int = 1,
                                         seeds: [UInt64] = [1]) throws -> MECEvaluation {
    guard episodes >= 1 else { throw MECError.invalidPolicy("evaluate needs episodes >= 1 (got \(episodes))") }
    guard !seeds.isEmpty else { throw MECError.invalidPolicy("evaluate needs at least one seed") }
    let t0 = DispatchTime.now().uptimeNanoseconds
    let s = env.scenario
    var r = MECEvaluation()
    r.policy = policy.name
    var lats: [Double] = []
    var tx = 0.0, qu = 0.0, cp = 0.0, eff = 0.0, acc = 0.0, hal = 0.0, miss = 0.0, off = 0.0
    var devEnergySum = 0.0, devViol = 0, accViol = 0, halViol = 0, retSum = 0.0
    var devEpisodes = 0
    var userEnergy = [Double](repeating: 0, count: env.numUsers)
    for seed in seeds {
      for ep in 0..<episodes {
        var (obs, _) = env.reset(seed: ep == 0 ? seed : nil)
        policy.reset(seed: seed &* 1_000_003 &+ UInt64(ep))
        for u in 0..<env.numUsers { userEnergy[u] = 0 }
        var epEff = 0.0, epHal = 0.0, epQ = 0, ret = 0.0
        while true {
          let a = try policy.act(obs: obs, mask: env.actionMask(), env: env)
          let st = try env.step(a)
          ret += Double(st.reward)
          let o = env.lastOutcome
          for i in 0..<env.lastQueries.count {
            lats.append(o.latency[i])
            tx += o.transmit[i]; qu += o.queue[i]; cp += o.compute[i]
            eff += o.effAccuracy[i]; acc += o.accuracy[i]; hal += o.hallucination[i]
            epEff += o.effAccuracy[i]; epHal += o.hallucination[i]; epQ += 1
            if o.latency[i] > s.deadlineSeconds { miss += 1 }
            if o.model[i] < 0 { off += 1 }
          }
          for u in 0..<env.numUsers { userEnergy[u] += o.userEnergy[u] }
          obs = st.obs
          if st.done { break }
        }
        let secs = Double(s.horizon) * s.slotSeconds
        for u in 0..<env.numUsers {
          let w = userEnergy[u] / secs
          devEnergySum += w
          if w > s.energyBudgetW { devViol += 1 }
          devEpisodes += 1
        }
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
    r.delayTransmit = tx / nq; r.delayQueue = qu / nq; r.delayCompute = cp / nq
    r.effectiveAccuracy = eff / nq; r.accuracy = acc / nq; r.hallucination = hal / nq
    r.deadlineMissRate = miss / nq; r.offloadFraction = off / nq
    r.energyPerDeviceW = devEnergySum / Double(devEpisodes)
    r.energyViolationRate = Double(devViol) / Double(devEpisodes)
    r.accuracyViolationRate = Double(accViol) / Double(r.episodes)
    r.hallucinationViolationRate = Double(halViol) / Double(r.episodes)
    r.meanReturn = retSum / Double(r.episodes)
    r.seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    return r
  }
}
