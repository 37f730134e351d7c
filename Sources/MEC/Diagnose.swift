// `MECDiagnostics.diagnose`: does a scenario pose the paper's problem? (DESIGN.md, "MEC: the environment")
//
// Runs, on the same seeds and episodes, the minimum-energy policy, the two trivial policies (always-local,
// always-offload) and the full-knowledge baselines (greedy, lyapunov, and lookahead up to
// `lookaheadMaxUsers`), with the long-run per-device accounting of `MECEvaluator`, and reports:
//   feasibility  per device class: the worst device's long-run power under the minimum-energy policy vs the
//                class budget (headroom = budget − that power, W; feasible when ≥ 0 for every device);
//   headroom     1 − (best full-knowledge latency) / min(always-local, always-offload latency), and whether
//                that best policy also meets every device's energy budget in the long run;
//   binding      per constraint (energy, accuracy, hallucination): the evaluated policies that violate it
//                (some device's long-run average beyond the limit) — a limit that no policy ever reaches
//                does not shape the problem;
//   verdict      pass iff every class is feasible, headroom ≥ minHeadroom, and the accuracy and
//                hallucination limits each bind for at least one evaluated policy; otherwise the reasons.
import Foundation

public struct MECDiagnoseOptions: Codable, Sendable, Equatable {
  public var seeds: [Int] = [1, 2, 3]
  public var episodes = 2
  public var minHeadroom = 0.15
  public var lookaheadMaxUsers = 50
  public init() {}
}

public struct MECClassFeasibility: Codable, Sendable, Equatable {
  public var deviceClass = "", devices = 0
  public var budgetW = 0.0, minEnergyW = 0.0, headroomW = 0.0
  public var feasible = false
}

public struct MECPolicySummary: Codable, Sendable, Equatable {
  public var policy = "", latencyMean = 0.0, energyViolationRate = 0.0, accuracyViolationRate = 0.0
  public var hallucinationViolationRate = 0.0, effectiveAccuracy = 0.0, hallucination = 0.0, offloadFraction = 0.0
}

public struct MECDiagnosis: Codable, Sendable, Equatable {
  public var scenario = "", users = 0
  public var classes: [MECClassFeasibility] = []
  public var feasible = false
  public var policies: [MECPolicySummary] = []
  public var bestPolicy = "", bestLatency = 0.0, alwaysLocalLatency = 0.0, alwaysOffloadLatency = 0.0
  public var headroom = 0.0, bestMeetsEnergy = false
  public var bindingEnergy: [String] = [], bindingAccuracy: [String] = [], bindingHallucination: [String] = []
  public var passed = false
  public var verdict = ""
  public var evaluations: [MECEvaluation] = []
}

public enum MECDiagnostics {
  public static let fullKnowledge: [MECBaselineKind] = [.greedy, .lyapunov, .lookahead]

  public static func diagnose(_ scenario: MECScenario, options o: MECDiagnoseOptions = .init()) throws -> MECDiagnosis {
    guard !o.seeds.isEmpty, o.seeds.allSatisfy({ $0 >= 0 }) else { throw MECError.invalidPolicy("diagnose: seeds must be a non-empty list of integers >= 0") }
    guard o.episodes >= 1 else { throw MECError.invalidPolicy("diagnose: episodes must be >= 1 (got \(o.episodes))") }
    let env = try MECEnv(scenario: scenario)
    let seeds = o.seeds.map { UInt64($0) }
    var kinds: [MECBaselineKind] = [.minEnergy, .alwaysLocal, .alwaysOffload]
    kinds += fullKnowledge.filter { $0 != .lookahead || scenario.users <= o.lookaheadMaxUsers }
    var evals: [MECBaselineKind: MECEvaluation] = [:]
    for k in kinds {
      var p = MECBaseline(k, seed: 1)
      evals[k] = try MECEvaluator.evaluate(&p, env: env, episodes: o.episodes, seeds: seeds)
    }
    var d = MECDiagnosis()
    d.scenario = scenario.name
    d.users = scenario.users
    d.evaluations = kinds.map { evals[$0]! }
    d.policies = kinds.map { k in
      let e = evals[k]!
      return MECPolicySummary(policy: k.rawValue, latencyMean: e.latencyMean, energyViolationRate: e.energyViolationRate,
                              accuracyViolationRate: e.accuracyViolationRate,
                              hallucinationViolationRate: e.hallucinationViolationRate,
                              effectiveAccuracy: e.effectiveAccuracy, hallucination: e.hallucination,
                              offloadFraction: e.offloadFraction)
    }
    let minE = evals[.minEnergy]!
    d.classes = minE.classes.map { c in
      MECClassFeasibility(deviceClass: c.deviceClass, devices: c.devices, budgetW: c.energyBudgetW, minEnergyW: c.energyMaxW,
                          headroomW: c.energySlackW, feasible: c.energySlackW >= 0)
    }
    d.feasible = d.classes.allSatisfy(\.feasible)
    let best = kinds.filter { fullKnowledge.contains($0) }.min { evals[$0]!.latencyMean < evals[$1]!.latencyMean }!
    d.bestPolicy = best.rawValue
    d.bestLatency = evals[best]!.latencyMean
    d.bestMeetsEnergy = evals[best]!.energyViolationRate == 0
    d.alwaysLocalLatency = evals[.alwaysLocal]!.latencyMean
    d.alwaysOffloadLatency = evals[.alwaysOffload]!.latencyMean
    d.headroom = 1 - d.bestLatency / min(d.alwaysLocalLatency, d.alwaysOffloadLatency)
    d.bindingEnergy = kinds.filter { evals[$0]!.energyViolationRate > 0 }.map(\.rawValue)
    d.bindingAccuracy = kinds.filter { evals[$0]!.accuracyViolationRate > 0 }.map(\.rawValue)
    d.bindingHallucination = kinds.filter { evals[$0]!.hallucinationViolationRate > 0 }.map(\.rawValue)
    var reasons: [String] = []
    for c in d.classes where !c.feasible {
      reasons.append(String(format: "infeasible: class %@ needs %.3f W under the minimum-energy policy, budget %.3f W", c.deviceClass, c.minEnergyW, c.budgetW))
    }
    if !(d.headroom >= o.minHeadroom) {
      reasons.append(String(format: "no headroom: best full-knowledge policy (%@, %.2f s) is %.1f%% better than the best trivial one (local %.2f s, offload %.2f s); needs %.0f%%",
                            d.bestPolicy, d.bestLatency, 100 * d.headroom, d.alwaysLocalLatency, d.alwaysOffloadLatency, 100 * o.minHeadroom))
    }
    if d.bindingAccuracy.isEmpty { reasons.append("accuracy limit binds for no evaluated policy") }
    if d.bindingHallucination.isEmpty { reasons.append("hallucination limit binds for no evaluated policy") }
    d.passed = reasons.isEmpty
    d.verdict = d.passed
      ? String(format: "pass: feasible for every class; headroom %.1f%% (%@); accuracy binds for %@; hallucination for %@",
               100 * d.headroom, d.bestPolicy, d.bindingAccuracy.joined(separator: ", "), d.bindingHallucination.joined(separator: ", "))
      : "fail: " + reasons.joined(separator: "; ")
    return d
  }
}
