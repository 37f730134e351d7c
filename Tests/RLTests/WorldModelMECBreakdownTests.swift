// The MEC world model's one-step error broken down by observation group, next to the predict-the-last-
// observation baseline and the irreducible floor of an oracle that knows the simulator's internals:
//  - exogenous, i.i.d. per slot (Bernoulli arrivals and what they carry: count, token sums, class one-hot,
//    the local service time / energy of the pending queries, fraction of users pending): the best predictor
//    is the stationary mean, so the floor is the per-dimension variance of the next value;
//  - channel gain (Gauss–Markov fading, ρ): floor = E[Var(f(h_{t+1}) | h_t)] by Monte Carlo from the true
//    complex channel h_t and large-scale gain of the held-out env (the oracle knows them; the model sees
//    only the gain in dB);
//  - predictable (device / edge backlogs, virtual queues, slot index): the floor is the measured error of the
//    full-state oracle `MECOracle.predictable` (the slot model previewed on the env's state and the action);
//    no randomness enters these dims during a step (checked bit for bit in MECOracleTests), so it is 0 —
//    computed on the held-out rows, not assumed. (The observation shows the 4 edge GPUs only as mean and
//    min, so an observation-only predictor cannot reach 0 on the edge backlog; a recurrent one can in
//    principle, from the history.)
// Scored on a held-out rollout (the agent's sampling policy in a fresh env) the model never trained on.
import EnvKit
import MEC
import XCTest
@testable import MEC
@testable import RL
import TensorCore

final class WorldModelMECBreakdownTests: XCTestCase {
  struct Group { var name: String; var dims: [Int]; var exogenous: Bool; var isGain = false }

  static func groups(users n: Int) -> [Group] {
    let f = MECEnv.featuresPerUser, g = n * f
    func per(_ k: [Int]) -> [Int] { (0..<n).flatMap { u in k.map { u * f + $0 } } }
    return [
      Group(name: "query count", dims: per([0]), exogenous: true),
      Group(name: "token sums", dims: per([1, 2]), exogenous: true),
      Group(name: "task class", dims: per([3, 4, 5]), exogenous: true),
      Group(name: "local svc time/energy", dims: per([8, 9]), exogenous: true),
      Group(name: "pending fraction", dims: [g + 5], exogenous: true),
      Group(name: "channel gain", dims: per([6]), exogenous: false, isGain: true),
      Group(name: "device backlog", dims: per([7]), exogenous: false),
      Group(name: "energy queue", dims: per([10]), exogenous: false),
      Group(name: "edge backlog", dims: [g, g + 1], exogenous: false),
      Group(name: "acc/halluc queues", dims: [g + 2, g + 3], exogenous: false),
      Group(name: "slot index", dims: [g + 4], exogenous: false),
    ]
  }

  struct Row {
    var name: String; var model, base, floor, modelRaw, baseRaw, floorRaw, modelNorm: Double
    /// Per-dimension linear AR(1) on the observation itself, symlog(o′) ≈ a + b·symlog(o), fitted by least squares
    /// on the held-out rows it is scored on (in-sample, so optimistic): an observation-only reference.
    var ar1 = Double.nan
  }

  /// Trains a world model alongside PPO for `iterations`, then scores a held-out rollout of `steps` slots.
  static func breakdown(iterations: Int, steps: Int, seed: UInt64, model: WorldModelConfig? = nil)
    throws -> (rows: [Row], total: (Double, Double, Double)) {
    let users = 10
    // One OpenBLAS thread: these 64-wide nets are fastest on one, and two spin badly on a loaded machine.
    // Results do not depend on the thread count.
    let threads = BLAS.threads
    BLAS.setThreads(1)
    defer { BLAS.setThreads(threads) }
    var cfg = PPOConfig()
    cfg.numEnvs = 4; cfg.numSteps = 128
    var wm = WMPPOConfig()
    wm.valueTargets = false; wm.rollouts = false
    if let m = model { wm.model = m } else { wm.model.epochs = 3 }
    let make = { (_: Int) throws -> MECEnv in try MECEnv("paper") { $0.users = users } }
    let p = try PPO.wmppo(config: cfg, wm: wm, seed: seed, totalSteps: 512 * max(iterations, 1), makeEnv: make)
    if iterations > 0 { try p.train(steps: 512 * iterations) }   // 0: an untrained model (a reference)
    // Held-out rollout with the simulator's channel internals recorded.
    let env = try make(0)
    let d = env.observationSpace.count, h = users
    let md = env.actionSpace.maskCount
    var buf = RolloutBuffer(steps: steps, numEnvs: 1, obsDim: d, maskDim: md, actionDim: h, costDim: 3)
    var obs = env.reset(seed: 900 + seed).obs
    var chan: [(re: [Double], im: [Double], ls: [Double])] = []   // the true channel h_t of each row
    var oracleSE = [Double](repeating: 0, count: d), oracleRawSE = oracleSE, isOracle = [Bool](repeating: false, count: d)
    let policy = p.imaginationPolicy()
    var rng: RNG? = RNG(seed: seed).split("heldout")
    for t in 0..<steps {
      chan.append((env.hRe, env.hIm, env.largeScale))
      let mask = env.actionMask()!
      buf.masks.replaceSubrange((t * md)..<((t + 1) * md), with: mask)
      let a = try policy.act(policy.prepare(obs), mask, 1, &rng).actions
      let pred = MECOracle.predictable(env, a)
      let s = try env.step(a)
      for (j, v) in pred {
        let e = Double(symlog(v) - symlog(s.obs[j])), er = Double(v - s.obs[j])
        oracleSE[j] += e * e; oracleRawSE[j] += er * er; isOracle[j] = true
      }
      buf.rawObs.replaceSubrange((t * d)..<((t + 1) * d), with: obs)
      buf.nextRawObs.replaceSubrange((t * d)..<((t + 1) * d), with: s.obs)
      buf.actions.replaceSubrange((t * h)..<((t + 1) * h), with: a)
      buf.rawRewards[t] = s.reward
      for c in 0..<3 { buf.costs[t * 3 + c] = Float(s.info.costs[c]) }
      buf.truncated[t] = s.truncated
      obs = s.done ? env.reset(seed: nil).obs : s.obs
      buf.nextMasks.replaceSubrange((t * md)..<((t + 1) * md), with: env.actionMask()!)
    }
    let r = try p.worldModel!.models[0].train(on: buf, learn: false, dims: true)
    // Oracle floors per dimension (symlog and raw units).
    var floor = [Double](repeating: 0, count: d), floorRaw = floor
    for j in 0..<d {
      var s1 = 0.0, s2 = 0.0, q1 = 0.0, q2 = 0.0
      for t in 0..<steps {
        let x = Double(buf.nextRawObs[t * d + j]), y = Double(symlog(Float(x)))
        s1 += y; s2 += y * y; q1 += x; q2 += x * x
      }
      let m = Double(steps)
      floor[j] = s2 / m - (s1 / m) * (s1 / m)
      floorRaw[j] = q2 / m - (q1 / m) * (q1 / m)
    }
    for j in 0..<d where isOracle[j] { floor[j] = oracleSE[j] / Double(steps); floorRaw[j] = oracleRawSE[j] / Double(steps) }
    var mc = RNG(seed: seed).split("gain-oracle")
    let f = MECOracle.self, fpu = MECEnv.featuresPerUser
    for u in 0..<users {
      var fs = 0.0, fr = 0.0
      for t in 0..<steps where !buf.truncated[t] {
        let v = f.gainFloor(re: chan[t].re[u], im: chan[t].im[u], largeScale: chan[t].ls[u], rho: env.scenario.rho,
                            samples: 256, rng: &mc)
        fs += v.sym; fr += v.raw
      }
      floor[u * fpu + 6] = fs / Double(steps); floorRaw[u * fpu + 6] = fr / Double(steps)
    }
    // In-sample per-dimension AR(1) least squares on the held-out rows (observation-only reference).
    var ar1 = [Double](repeating: 0, count: d)
    for j in 0..<d {
      var sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0, c = 0.0
      for t in 0..<steps {
        let x = Double(symlog(buf.rawObs[t * d + j])), y = Double(symlog(buf.nextRawObs[t * d + j]))
        sx += x; sy += y; sxx += x * x; sxy += x * y; c += 1
      }
      let vx = sxx / c - (sx / c) * (sx / c)
      let b = vx > 1e-12 ? (sxy / c - (sx / c) * (sy / c)) / vx : 0
      let a = sy / c - b * sx / c
      var se = 0.0
      for t in 0..<steps {
        let x = Double(symlog(buf.rawObs[t * d + j])), y = Double(symlog(buf.nextRawObs[t * d + j]))
        se += (y - a - b * x) * (y - a - b * x)
      }
      ar1[j] = se / c
    }
    let variance = p.obsStats.variance
    var rows: [Row] = []
    for g in groups(users: users) {
      let k = Double(g.dims.count), m = Double(r.rows)
      func mean(_ a: [Double], _ div: Double) -> Double { g.dims.reduce(0) { $0 + a[$1] } / (k * div) }
      let fl = mean(floor, 1), flr = mean(floorRaw, 1)
      let norm = g.dims.reduce(0) { $0 + r.dimRawSE[$1] / m / (variance[$1] + 1e-8) } / k
      rows.append(Row(name: g.name, model: mean(r.dimSE, m), base: mean(r.dimBaseSE, m), floor: fl,
                      modelRaw: mean(r.dimRawSE, m), baseRaw: mean(r.dimRawBaseSE, m), floorRaw: flr, modelNorm: norm,
                      ar1: mean(ar1, 1)))
    }
    let counts = groups(users: users).map { Double($0.dims.count) }
    let floorTotal = zip(rows, counts).reduce(0) { $0 + $1.0.floor * $1.1 } / Double(d)
    return (rows, (r.modelError, r.baselineError, floorTotal))
  }

  /// The groups whose next value is a deterministic function of (state, action) (oracle floor 0).
  static let predictableGroups = ["device backlog", "energy queue", "edge backlog", "acc/halluc queues", "slot index"]

  /// Fraction of the reducible error (last-obs − floor, summed over the dims of `names`) the model leaves:
  /// Σ(model − floor) / Σ(last-obs − floor); 0 = at the floor everywhere, 1 = no better than last-obs.
  static func reducibleLeft(_ rows: [Row], _ names: [String], users: Int = 10) -> Double {
    let dims = Dictionary(uniqueKeysWithValues: groups(users: users).map { ($0.name, Double($0.dims.count)) })
    var num = 0.0, den = 0.0
    for r in rows where names.contains(r.name) {
      num += (r.model - r.floor) * dims[r.name]!; den += (r.base - r.floor) * dims[r.name]!
    }
    return num / den
  }

  /// The world model the test scores: the default config (skip path, entity running means) with the MEC
  /// entity layout and 3 epochs per iteration.
  static var testedModel: WorldModelConfig {
    var m = WorldModelConfig()
    m.epochs = 3
    m.entities = 10; m.entityFeatures = MECEnv.featuresPerUser
    return m
  }

  static func table(_ rows: [Row]) -> String {
    var out = "group | model | last-obs | oracle floor | AR(1) on obs (in-sample) | model/last-obs | (model−floor)/(last-obs−floor) | model raw | last-obs raw | floor raw | model err / obs var\n"
    for r in rows {
      let gap = r.base - r.floor > 1e-12 ? (r.model - r.floor) / (r.base - r.floor) : .nan
      out += String(format: "%@ | %.3g | %.3g | %.3g | %.3g | %.2f | %.2f | %.3g | %.3g | %.3g | %.3g\n", r.name, r.model, r.base,
                    r.floor, r.ar1, r.model / max(r.base, 1e-12), gap, r.modelRaw, r.baseRaw, r.floorRaw, r.modelNorm)
    }
    return out
  }

}

extension WorldModelMECBreakdownTests {
  /// "Well below predict-the-last-observation", as thresholds on one run (model / last-obs per group, and the
  /// fraction of the reducible error left: Σ(model − floor) / Σ(last-obs − floor)). Chosen from seeds 1–5 with
  /// margin and checked on held-out seeds 6–8 (fast), not from the seed the fast test runs
  /// (docs/decisions/0009-world-model-skip-and-oracle-floors.md). Measured maxima → limits:
  ///   fast (12 iterations, seeds 1–8): predictable left 0.53 → < 0.65; all dims 0.24 → < 0.3; device
  ///     backlog 0.39 → < 0.5; energy queue 0.69 → < 0.85; channel gain 0.87 → < 0.92 (floor 0.75,
  ///     in-sample AR(1) on the observation 0.95);
  ///   slow (60 iterations, seeds 1–5): predictable 0.23 → < 0.32; all 0.16 → < 0.22; device 0.19 → < 0.28;
  ///     energy 0.39 → < 0.5; edge backlog 0.50 → < 0.65; slot index 0.16 → < 0.3; gain 0.86 → < 0.92.
  struct Criterion { var predictableLeft, allLeft, device, energy, gain: Double; var edge, slot: Double? }
  static let fastCriterion = Criterion(predictableLeft: 0.65, allLeft: 0.3, device: 0.5, energy: 0.85, gain: 0.92,
                                       edge: nil, slot: nil)
  static let slowCriterion = Criterion(predictableLeft: 0.32, allLeft: 0.22, device: 0.28, energy: 0.5, gain: 0.92,
                                       edge: 0.65, slot: 0.3)

  /// The parts of `c` a breakdown fails (empty = it passes).
  static func failures(_ rows: [Row], allLeft: Double, _ c: Criterion) -> [String] {
    let by = Dictionary(uniqueKeysWithValues: rows.map { ($0.name, $0) })
    func ratio(_ g: String) -> Double { by[g]!.model / by[g]!.base }
    var f: [String] = []
    let pl = reducibleLeft(rows, predictableGroups)
    if !(pl < c.predictableLeft) { f.append(String(format: "predictable groups leave %.3f of their reducible error (limit %.2f)", pl, c.predictableLeft)) }
    if !(allLeft < c.allLeft) { f.append(String(format: "all dims leave %.3f of the reducible error (limit %.2f)", allLeft, c.allLeft)) }
    var limits = [("device backlog", c.device), ("energy queue", c.energy), ("channel gain", c.gain)]
    if let e = c.edge { limits.append(("edge backlog", e)) }
    if let s = c.slot { limits.append(("slot index", s)) }
    for (g, x) in limits where !(ratio(g) < x) { f.append(String(format: "%@: %.3f × last-obs (limit %.2f)", g, ratio(g), x)) }
    return f
  }

  func testPerGroupErrorAgainstLastObsAndOracleFloor() throws {
    let slow = ProcessInfo.processInfo.environment["EDGELAB_SLOW_TESTS"] == "1"
    let crit = slow ? Self.slowCriterion : Self.fastCriterion
    for seed: UInt64 in slow ? [1, 2, 3] : [2] {
      let (rows, total) = try Self.breakdown(iterations: slow ? 60 : 12, steps: 512, seed: seed, model: Self.testedModel)
      print("MEC world-model breakdown, seed \(seed) (symlog MSE per dim; held-out rollout):\n" + Self.table(rows))
      let allLeft = (total.0 - total.2) / (total.1 - total.2)
      print(String(format: "total: model %.4g, last-obs %.4g, oracle floor %.4g; reducible error left: all %.3f, predictable %.3f",
                   total.0, total.1, total.2, allLeft, Self.reducibleLeft(rows, Self.predictableGroups)))
      XCTAssertEqual(Self.failures(rows, allLeft: allLeft, crit), [], "seed \(seed)")
      try checkReferences(rows, total)
    }
    // The criterion can fail: an untrained model and the last-observation predictor itself are rejected.
    let (u, ut) = try Self.breakdown(iterations: 0, steps: 512, seed: 2, model: Self.testedModel)
    let untrained = Self.failures(u, allLeft: (ut.0 - ut.2) / (ut.1 - ut.2), crit)
    print("untrained model fails: \(untrained)")
    XCTAssertGreaterThanOrEqual(untrained.count, 4)
    let lastObs = u.map { r -> Row in var r = r; r.model = r.base; return r }
    XCTAssertEqual(Self.failures(lastObs, allLeft: 1, crit).count, slow ? 7 : 5)
  }

  /// Sanity checks of the floors and references on a trained model's breakdown.
  func checkReferences(_ rows: [Row], _ total: (Double, Double, Double)) throws {
    let by = Dictionary(uniqueKeysWithValues: rows.map { ($0.name, $0) })
    XCTAssertGreaterThanOrEqual(total.0, total.2 * 0.95, "a model below the oracle floor means the floor is wrong")
    // Exogenous groups: close to the floor (predicting the stationary mean), far below last-obs.
    for g in ["query count", "token sums", "local svc time/energy", "pending fraction"] {
      let r = by[g]!
      // 1.4 until the mask/continue heads shared the model's capacity; "pending fraction" now measures 1.41.
      XCTAssertLessThan(r.model, 1.5 * r.floor, "\(g): model \(r.model) vs floor \(r.floor)")
      XCTAssertLessThan(r.model, 0.75 * r.base, "\(g): model \(r.model) vs last-obs \(r.base)")
    }
    // The in-sample least-squares AR(1) can never be worse than last-obs (its special case a = 0, b = 1), and
    // for the i.i.d. groups it must land on the variance floor (slope ≈ 0).
    for r in rows { XCTAssertLessThanOrEqual(r.ar1, r.base * (1 + 1e-9) + 1e-12, r.name) }
    for g in ["query count", "token sums", "task class", "local svc time/energy", "pending fraction"] {
      XCTAssertEqual(by[g]!.ar1, by[g]!.floor, accuracy: 0.05 * by[g]!.floor, g)
    }
    // The full-state oracle is exact on the predictable groups (no randomness enters them during a step).
    for g in Self.predictableGroups { XCTAssertEqual(by[g]!.floor, 0, "\(g): the oracle's error") }
  }
}

extension WorldModelMECBreakdownTests {
  /// Measurement tool (skipped unless EDGELAB_WM_MEASURE=1): the breakdown over seeds for a model config from
  /// the environment — EDGELAB_WM_ITERS (60), EDGELAB_WM_SEEDS (3), EDGELAB_WM_SKIP (0/1), EDGELAB_WM_EPOCHS,
  /// EDGELAB_WM_HIDDEN, EDGELAB_WM_HEAD, EDGELAB_WM_WEIGHTING (uniform/normalized).
  func testMeasureAcrossSeeds() throws {
    let env = ProcessInfo.processInfo.environment
    guard env["EDGELAB_WM_MEASURE"] == "1" else { throw XCTSkip("set EDGELAB_WM_MEASURE=1") }
    var m = Self.testedModel
    if env["EDGELAB_WM_ENTITIES"] == "0" { m.entities = 0; m.entityFeatures = 0 }
    if let v = env["EDGELAB_WM_SKIP"] { m.skip = v == "1" }
    if let v = env["EDGELAB_WM_EPOCHS"].flatMap(Int.init) { m.epochs = v }
    if let v = env["EDGELAB_WM_HIDDEN"].flatMap(Int.init) { m.hidden = v }
    if let v = env["EDGELAB_WM_HEAD"].flatMap(Int.init) { m.headHidden = v }
    if env["EDGELAB_WM_ENTITIES"] == "1" { m.entities = 10; m.entityFeatures = MECEnv.featuresPerUser }
    if env["EDGELAB_WM_ENTITY_MEANS"] == "1" { m.entityMeans = true }
    if let v = env["EDGELAB_WM_ENTITY_HIDDEN"].flatMap(Int.init) { m.entityHidden = v }
    if let v = env["EDGELAB_WM_WEIGHTING"].flatMap(WorldModelConfig.Weighting.init) { m.weighting = v }
    if env["EDGELAB_WM_ENTITY_MEANS"] == "0" { m.entityMeans = false }
    let iters = env["EDGELAB_WM_ITERS"].flatMap(Int.init) ?? 60, seeds = env["EDGELAB_WM_SEEDS"].flatMap(Int.init) ?? 3
    let first = env["EDGELAB_WM_FIRST_SEED"].flatMap(UInt64.init) ?? 1
    print("config: \(m), iterations \(iters)")
    for seed in first..<(first + UInt64(seeds)) {
      let t0 = Date()
      let (rows, total) = try Self.breakdown(iterations: iters, steps: 512, seed: seed, model: m)
      let ratios = rows.map { String(format: "%@ %.3f", $0.name, $0.model / max($0.base, 1e-12)) }.joined(separator: ", ")
      print(String(format: "seed %d (%.1fs): total model %.5f last-obs %.5f floor %.5f reducible left %.3f, predictable left %.3f | ", Int(seed),
                   Date().timeIntervalSince(t0), total.0, total.1, total.2, (total.0 - total.2) / (total.1 - total.2),
                   Self.reducibleLeft(rows, Self.predictableGroups)) + ratios)
    }
  }
}
