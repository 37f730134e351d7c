// The MEC offloading environment (EnvKit contract). See Scenario.swift for every constant, SlotModel.swift
// for latency/energy/objectives, Channel.swift for the radio model.
//
// Action (MultiDiscrete, one entry per user, 1 + localVariants choices): 0 = offload to the edge,
// 1 + v = answer locally with hosted variant v (best variant = 1). Mask per user: a user without a pending
// query may only pick 0 (a no-op; any in-range action of an idle user is accepted and ignored); offload is
// masked while the user's full-band SNR is below `outageSNRdB`; variants the device does not host are masked.
// Masked choices of users with a pending query are rejected with `EnvError.invalidAction`.
//
// Observation (flat [Float], N·13 per-user features, then 9 global ones, then 2 per edge GPU; each value
// clipped to [−10, 10]; field by field in docs/decisions/0101-mec-observation.md):
//   per user u: 0 pending query count (Poisson may give >1) · 1 Σ prompt tokens / promptTokensMax ·
//     2 Σ output tokens / outputTokensMax · 3…5 task class one-hot of the first pending query (3 classes;
//     more classes are folded modulo 3) · 6 channel gain (dB + 120) / 10 · 7 device backlog / deadline ·
//     8 best local service time of the pending queries / deadline (0 if none hosted) ·
//     9 its energy / U_u (U_u = ē_u·τ/λ, the per-query energy allowance) · 10 energy virtual queue Y_u / 10 ·
//     11 large-scale gain (path loss + shadowing of this episode, dB + 120) / 10 · 12 energy budget ē_u (W)
//   global: 0 mean edge GPU backlog / deadline · 1 min edge GPU backlog / deadline · 2 accuracy virtual
//     queue Z / 10 · 3 hallucination virtual queue H / 10 · 4 slot / horizon · 5 fraction of users pending ·
//     6…8 Lagrange multipliers λ_E, λ_A, λ_H / 10
//   per edge GPU k: 9+2k backlog (projected drain time − now) / deadline · 10+2k streams held (running +
//     waiting) / maxBatch
//
// Reward: −(objective of the selected constraint mode) — lyapunov: drift-plus-penalty; lagrange: the
// Lagrangian with (optionally dual-ascended) multipliers; none: −penalty only. Virtual queues are always
// tracked (observation and info) whatever the mode:
//   Y_u ← max(Y_u + ν·d_u, 0),  Z ← max(Z + Σ_i(A_min − effAcc_i), 0),  H ← max(H + Σ_i(h_i − H_max), 0).
// Episodes end by truncation after `horizon` slots (never terminated). At truncation the edge finishes
// what it holds (no later arrivals), so every query of the episode is settled within it.
import Foundation
import EnvKit
import EdgeProfiles
import TensorCore

public struct MECQuery: Sendable, Equatable {
  public var user: Int
  public var prompt: Int
  public var output: Int
  public var taskClass: Int
}

public final class MECEnv: Environment {
  public let scenario: MECScenario
  public let layout: MECLayout
  public let numUsers: Int
  public let choices: Int
  public static let featuresPerUser = 13
  /// Global features before the per-GPU block (2 per edge GPU follow them).
  public static let globalFeatures = 9
  public let observationSpace: BoxSpace
  public let actionSpace: ActionSpace
  public var maxEpisodeSteps: Int? { scenario.horizon }
  public static let infoKeyList = [
    "queries", "latency_mean", "delay_transmit", "delay_queue", "delay_compute", "deadline_miss",
    "energy_total", "energy_mean_device", "accuracy_mean", "eff_accuracy_mean", "hallucination_mean",
    "offload_fraction", "slack_energy", "slack_accuracy", "slack_hallucination", "energy_queue_mean",
    "accuracy_queue", "hallucination_queue", "edge_backlog", "penalty", "settled", "settled_latency_mean",
    "settled_eff_accuracy_mean"]
  public var infoKeys: [String] { MECEnv.infoKeyList }
  public var costKeys: [String] { ["energy_excess", "accuracy_shortfall", "hallucination_excess"] }

  // Slot state.
  public internal(set) var slot = 0
  public internal(set) var over = true
  public internal(set) var queries: [MECQuery] = []
  public internal(set) var firstQuery: [Int]
  public internal(set) var queryCount: [Int]
  public internal(set) var distanceKm: [Double]
  public internal(set) var shadowDB: [Double]
  var largeScale: [Double]
  var hRe: [Double], hIm: [Double]
  /// Current channel power gain per user (linear).
  public internal(set) var gain: [Double]
  public internal(set) var deviceFreeAt: [Double]
  public internal(set) var gpuFreeAt: [Double]
  public internal(set) var energyQueue: [Double]
  public internal(set) var accuracyQueue = 0.0
  public internal(set) var hallucinationQueue = 0.0
  public internal(set) var multipliers: [Double]
  /// Edge engines (continuous scheduler) and the offloaded queries they hold, by request id.
  public internal(set) var engines: [EdgeGPUState]
  var inFlight: [Int: EdgeJob] = [:]
  var nextRequestId = 0
  /// Queries whose realized outcome became known in the last step (MECEnv+LongRun.swift).
  public internal(set) var lastSettled: [MECSettled] = []
  /// Long-run per-device accumulators, pooled over episodes (MECEnv+LongRun.swift).
  public internal(set) var longRun: MECLongRun
  /// Energy budget ē_u (W) of each user's device class and its per-query allowance U_u = ē_u·τ/λ (J).
  public let energyBudget: [Double]
  public let energyUnit: [Double]
  let edgeCost: EdgeCost
  let noisePSD: Double
  /// The outcome of the last committed slot (per-query delays, per-user energy, …).
  public internal(set) var lastOutcome = SlotOutcome()
  /// The queries the last committed slot decided (aligned with `lastOutcome`).
  public internal(set) var lastQueries: [MECQuery] = []
  var scratch = SlotOutcome()
  var outcome = SlotOutcome()

  // Token ledger: jobs in flight (local: place = user, edge: place = -1 - gpu).
  public internal(set) var ledger = TokenLedger()

  // Randomness.
  var episodeRng = RNG(seed: 0)
  var arrivalRng = RNG(seed: 0)
  var channelRng = RNG(seed: 0)

  public convenience init(scenario: MECScenario) throws {
    self.init(scenario: scenario, layout: try MECLayout(scenario))
  }

  /// An env over an already resolved layout (used by `clone()`; `layout` must come from `scenario`).
  init(scenario: MECScenario, layout: MECLayout) {
    self.scenario = scenario
    self.layout = layout
    numUsers = scenario.users
    choices = 1 + scenario.localVariants
    observationSpace = try! BoxSpace(count: MECEnv.observationCount(users: scenario.users, gpus: scenario.edgeGPUs),
                                     low: -10, high: 10)  // count >= 7 (users >= 1 is validated)
    actionSpace = .multiDiscrete([Int](repeating: 1 + scenario.localVariants, count: scenario.users))
    let n = scenario.users
    firstQuery = [Int](repeating: 0, count: n)
    queryCount = [Int](repeating: 0, count: n)
    distanceKm = [Double](repeating: 0, count: n)
    shadowDB = [Double](repeating: 0, count: n)
    largeScale = [Double](repeating: 0, count: n)
    hRe = [Double](repeating: 0, count: n)
    hIm = [Double](repeating: 0, count: n)
    gain = [Double](repeating: 0, count: n)
    deviceFreeAt = [Double](repeating: 0, count: n)
    gpuFreeAt = [Double](repeating: 0, count: scenario.edgeGPUs)
    energyQueue = [Double](repeating: 0, count: n)
    multipliers = scenario.lagrangeMultipliers
    engines = [EdgeGPUState](repeating: EdgeGPUState(), count: scenario.edgeGPUs)
    longRun = MECLongRun(users: n)
    energyBudget = layout.users.map { scenario.energyBudgetW(for: $0.device.deviceClass) }
    energyUnit = energyBudget.map { $0 * scenario.slotSeconds / (scenario.arrivalRate > 0 ? scenario.arrivalRate : 1) }
    edgeCost = EdgeCost(edge: layout.edge, slowdown: scenario.batchSlowdown, maxBatch: scenario.maxBatch)
    noisePSD = Channel.noisePSD(dBmHz: scenario.noisePSDdBmHz, noiseFigureDB: scenario.noiseFigureDB)
    episodeRng = RNG(seed: scenario.layoutSeed).split("episodes")
  }

  /// Observation length: N·featuresPerUser + globalFeatures + 2·edgeGPUs.
  public static func observationCount(users n: Int, gpus g: Int) -> Int { n * featuresPerUser + globalFeatures + 2 * g }

  public convenience init(_ name: String = "paper", configure: (inout MECScenario) -> Void = { _ in }) throws {
    var s = try MECScenario.named(name)
    configure(&s)
    try self.init(scenario: s)
  }

  // MARK: reset / step

  /// `reset(seed: s)` starts afresh (virtual queues, multipliers and long-run accumulators cleared);
  /// `reset(seed: nil)` continues the episode stream and, with `carryConstraintState` (default), keeps the
  /// virtual queues, dual-ascended multipliers and long-run accumulators across the episode boundary.
  public func reset(seed: UInt64?) -> (obs: [Float], info: StepInfo) {
    let fresh = seed != nil || !scenario.carryConstraintState
    let epSeed: UInt64
    if let sd = seed { episodeRng = RNG(seed: sd).split("episodes"); epSeed = sd } else { epSeed = episodeRng.next() }
    let root = RNG(seed: epSeed)
    var place = root.split("placement")
    arrivalRng = root.split("arrivals")
    channelRng = root.split("channel")
    let s = scenario
    for u in 0..<numUsers {
      distanceKm[u] = place.uniform(s.minDistanceKm, s.maxDistanceKm)
      shadowDB[u] = s.shadowingStdDB * place.normal()
      let pl = Channel.pathLossDB(distanceKm: distanceKm[u], intercept: s.pathLossIntercept, slope: s.pathLossSlope)
      largeScale[u] = pow(10, -(pl + shadowDB[u]) / 10)
      hRe[u] = channelRng.normal() * 0.5.squareRoot()
      hIm[u] = channelRng.normal() * 0.5.squareRoot()
      gain[u] = largeScale[u] * (hRe[u] * hRe[u] + hIm[u] * hIm[u])
      deviceFreeAt[u] = 0
      if fresh { energyQueue[u] = 0 }
    }
    for g in 0..<gpuFreeAt.count { gpuFreeAt[g] = 0; engines[g] = EdgeGPUState() }
    inFlight.removeAll(keepingCapacity: true)
    lastSettled.removeAll(keepingCapacity: true)
    if fresh {
      accuracyQueue = 0
      hallucinationQueue = 0
      multipliers = s.lagrangeMultipliers
      longRun = MECLongRun(users: numUsers)
    }
    longRun.episodes += 1
    ledger = TokenLedger()
    slot = 0
    over = false
    lastOutcome = SlotOutcome()
    lastQueries = []
    drawArrivals()
    return (observation(), StepInfo(metrics: [Double](repeating: 0, count: MECEnv.infoKeyList.count),
                                    costs: [0, 0, 0]))
  }

  /// Throws a clear error unless `actions` is a valid, allowed action vector for the current slot.
  public func validate(_ actions: [Int]) throws {
    guard actions.count == numUsers else {
      throw EnvError.invalidAction("MEC action has \(actions.count) entries, expected one per user (\(numUsers))")
    }
    for u in 0..<numUsers {
      let a = actions[u]
      guard a >= 0 && a < choices else {
        throw EnvError.invalidAction("action[\(u)] = \(a) outside 0..<\(choices) (0 = offload, 1… = local variant)")
      }
      if queryCount[u] > 0 && !allowed(u, a) {
        throw EnvError.invalidAction(a == 0 ? "user \(u) cannot offload (channel in outage)"
          : "user \(u) does not host local variant \(a - 1) (device \(layout.users[u].device.name) hosts \(layout.users[u].variants.count))")
      }
    }
  }

  public func step(_ actions: [Int]) throws -> Step {
    if over { throw EnvError.needsReset("MEC episode ended after \(scenario.horizon) slots; call reset") }
    try validate(actions)
    evaluate(actions, into: &outcome)
    let s = scenario
    let o = outcome
    // Commit resources and the token ledger.
    deviceFreeAt = o.deviceFreeAt
    gpuFreeAt = o.gpuFreeAt
    commitQueries(o)
    // Reward from the current queues / multipliers, then queue updates.
    let reward: Double
    switch s.constraintMode {
    case .lyapunov: reward = -o.lyapunovObjective
    case .lagrange: reward = -o.lagrangeObjective
    case .none: reward = -o.penalty
    }
    for u in 0..<numUsers {
      energyQueue[u] = max(energyQueue[u] + s.energyQueueScale * energyDeviation(u, o.userEnergy[u]), 0)
    }
    accuracyQueue = max(accuracyQueue + o.accuracyDeviation, 0)
    hallucinationQueue = max(hallucinationQueue + o.hallucinationDeviation, 0)
    if s.constraintMode == .lagrange && s.lagrangeStep > 0 {
      let v = [o.energyDeviation / Double(numUsers), o.accuracyDeviation, o.hallucinationDeviation]
      for j in 0..<3 { multipliers[j] = max(0, multipliers[j] + s.lagrangeStep * v[j]) }
    }
    var info = makeInfo(o)
    swap(&lastOutcome, &outcome)
    lastQueries = queries
    // Advance time: the edge engines run to the end of the slot (to the end of their work at the episode's end).
    slot += 1
    let truncated = slot >= s.horizon
    advanceEdge(to: truncated ? .infinity : Double(slot) * s.slotSeconds)
    ledger.retire(upTo: Double(slot) * s.slotSeconds)
    if truncated { over = true }
    addSettled(&info)
    evolveChannel()
    drawArrivals()
    return Step(obs: observation(), reward: Float(reward), terminated: false, truncated: truncated, info: info)
  }

  // MARK: mask

  @inline(__always)
  func allowed(_ u: Int, _ a: Int) -> Bool {
    if a == 0 { return fullBandSNRdB(u) >= scenario.outageSNRdB || layout.users[u].variants.isEmpty }
    return a - 1 < layout.users[u].variants.count
  }

  public func fullBandSNRdB(_ u: Int) -> Double {
    let p = layout.users[u].device.transmitPowerW
    return 10 * log10(max(p * gain[u] / (noisePSD * scenario.bandwidthHz), 1e-30))
  }

  public func actionMask() -> [Bool]? {
    var m = [Bool](repeating: false, count: numUsers * choices)
    for u in 0..<numUsers {
      if queryCount[u] == 0 { m[u * choices] = true; continue }
      for a in 0..<choices { m[u * choices + a] = allowed(u, a) }
    }
    return m
  }

  // MARK: dynamics

  func evolveChannel() {
    let rho = scenario.rho, innov = (max(0, 1 - rho * rho) * 0.5).squareRoot()
    for u in 0..<numUsers {
      hRe[u] = rho * hRe[u] + innov * channelRng.normal()
      hIm[u] = rho * hIm[u] + innov * channelRng.normal()
      gain[u] = largeScale[u] * (hRe[u] * hRe[u] + hIm[u] * hIm[u])
    }
  }

  func drawArrivals() {
    let s = scenario
    queries.removeAll(keepingCapacity: true)
    let wsum = s.taskClassWeights.reduce(0, +)
    for u in 0..<numUsers {
      let k: Int
      switch s.arrival {
      case .bernoulli: k = arrivalRng.uniform() < s.arrivalRate ? 1 : 0
      case .poisson: k = arrivalRng.poisson(s.arrivalRate)
      }
      firstQuery[u] = queries.count
      queryCount[u] = k
      for _ in 0..<k {
        let p = s.promptTokensMin + arrivalRng.int(below: s.promptTokensMax - s.promptTokensMin + 1)
        let o = s.outputTokensMin + arrivalRng.int(below: s.outputTokensMax - s.outputTokensMin + 1)
        var r = arrivalRng.uniform() * wsum, c = 0
        while c < s.taskClassWeights.count - 1 && r >= s.taskClassWeights[c] { r -= s.taskClassWeights[c]; c += 1 }
        queries.append(MECQuery(user: u, prompt: p, output: o, taskClass: c))
      }
    }
  }
}
