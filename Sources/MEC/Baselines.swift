// Classic offloading baselines, with the same `Policy` interface as learned agents (EnvKit).
//
// | name           | knowledge                | rule                                                              |
// |----------------|--------------------------|-------------------------------------------------------------------|
// | always-local   | mask only                | best hosted variant (choice 1) when allowed, else offload         |
// | always-offload | mask only                | offload (choice 0) when allowed, else the best local variant      |
// | random         | mask only                | uniform among allowed choices per user (seeded)                   |
// | min-energy     | full knowledge of slot   | minimises the slot's device energy Σ_u e_u (coordinate descent); |
// |                |                          | the feasibility reference of `MECDiagnostics`                     |
// | greedy         | full knowledge of slot   | minimises the myopic constrained slot objective (1000·violation  |
// |                |                          | + latency penalty, see SlotModel.swift) by coordinate descent    |
// | lyapunov       | full knowledge of slot   | minimises the drift-plus-penalty objective with the env's current |
// |                |                          | virtual queues (V·P + Σ Y·d + Z·ΔA + H·ΔH) by coordinate descent  |
// | lyapunov-      | full knowledge of slot   | the same drift-plus-penalty objective minimised *exhaustively*   |
// | exhaustive     |                          | over all joint choices of the pending users (N ≤ 10). Formerly   |
// |                |                          | "oracle": it equals `lyapunov` whenever ≤ 1 user is pending (CD |
// |                |                          | is then exact), i.e. in ~98% of slots at N ≤ 10 — an exact      |
// |                |                          | solver of the same per-slot objective, not a stronger policy    |
// |                |                          | (decision 0103)                                                  |
// | lookahead      | clairvoyant, true        | model-predictive control on a clone of the env (snapshots): each|
// |                | simulator, H slots ahead | candidate for the pending users is played for this slot and     |
// |                |                          | `lookaheadSlots − 1` more in which `lyapunov` decides (the clone|
// |                |                          | replays the true future arrivals, channels and batching), then  |
// |                |                          | the edge is drained; cost = Σ constraint terms of the DPP       |
// |                |                          | objective + V·Σ realized latency/deadline of every query settled|
// |                |                          | (so a stream's slow-down of running streams counts, which the   |
// |                |                          | per-slot projection cannot see); coordinate descent over the    |
// |                |                          | pending users from the `lyapunov` choice, 2 sweeps              |
// "Full knowledge of the slot": the policy reads the env's exact slot state (channels, queues, pending
// queries, edge backlog) and scores candidate action vectors with `MECEnv.preview` — information a real
// controller would only estimate. Coordinate descent: start from every pending user's best single-user
// choice against the all-local background, then sweep users in order, switching a user's choice when that
// lowers the joint objective, until a sweep changes nothing (at most 8 sweeps).
import EnvKit
import TensorCore

public enum MECBaselineKind: String, CaseIterable, Sendable {
  case alwaysLocal = "always-local", alwaysOffload = "always-offload", random, minEnergy = "min-energy", greedy, lyapunov
  case lyapunovExhaustive = "lyapunov-exhaustive", lookahead
}

public struct MECBaseline: Policy {
  public let kind: MECBaselineKind
  public var rng: RNG
  /// Largest joint search the oracle accepts (choices^pending).
  public static let oracleMaxCombinations = 1 << 16
  public static let oracleMaxUsers = 10
  /// Slots the look-ahead baseline rolls the simulator forward (this one included).
  public static let lookaheadSlots = 4
  public var name: String { kind.rawValue }

  public init(_ kind: MECBaselineKind, seed: UInt64 = 0) {
    self.kind = kind
    rng = RNG(seed: seed).split("policy")
  }

  public init(name: String, seed: UInt64 = 0) throws {
    guard let k = MECBaselineKind(rawValue: name) else {
      if name == "oracle" {
        throw MECError.invalidPolicy("baseline 'oracle' was renamed 'lyapunov-exhaustive' (an exact per-slot solver of lyapunov's objective); the strongest full-knowledge baseline is 'lookahead'")
      }
      throw MECError.invalidPolicy("unknown baseline '\(name)' (known: \(MECBaselineKind.allCases.map(\.rawValue).joined(separator: ", ")))")
    }
    self.init(k, seed: seed)
  }

  public mutating func reset(seed: UInt64) { rng = RNG(seed: seed).split("policy") }

  public mutating func act(obs: [Float], mask: [Bool]?, env: (any Environment)?) throws -> [Int] {
    switch kind {
    case .alwaysLocal, .alwaysOffload, .random:
      guard let mec = env as? MECEnv else {
        throw MECError.invalidPolicy("\(name) needs the MECEnv (pass it as env) to read the observation layout")
      }
      let n = mec.numUsers
      guard obs.count == mec.observationSpace.count else {
        throw MECError.invalidPolicy("\(name): observation of \(obs.count) values is not this env's (\(mec.observationSpace.count))")
      }
      let c: Int
      if let m = mask { c = m.count / n } else { c = mec.choices }
      guard c >= 1, mask == nil || mask!.count == n * c else {
        throw MECError.invalidPolicy("\(name): mask of \(mask!.count) entries does not match \(n) users")
      }
      let m = mask ?? [Bool](repeating: true, count: n * c)
      return (0..<n).map { u in
        let allowed = (0..<c).filter { m[u * c + $0] }
        switch kind {
        case .alwaysLocal: return allowed.contains(1) ? 1 : (allowed.first ?? 0)
        case .alwaysOffload: return allowed.contains(0) ? 0 : (allowed.first ?? 0)
        default: return allowed.isEmpty ? 0 : allowed[rng.int(below: allowed.count)]
        }
      }
    case .minEnergy, .greedy, .lyapunov, .lyapunovExhaustive, .lookahead:
      guard let mec = env as? MECEnv else {
        throw MECError.invalidPolicy("\(name) needs full knowledge of the slot: pass the MECEnv itself")
      }
      if kind == .lyapunovExhaustive { return try Self.exhaustive(mec, objective: .lyapunov) }
      if kind == .lookahead { return try Self.lookahead(mec, slots: Self.lookaheadSlots) }
      return Self.coordinateDescent(mec, objective: kind == .greedy ? .greedy : kind == .minEnergy ? .energy : .lyapunov)
    }
  }

  static func allowedChoices(_ env: MECEnv, _ u: Int) -> [Int] { (0..<env.choices).filter { env.allowed(u, $0) } }

  static func coordinateDescent(_ env: MECEnv, objective: SlotObjective) -> [Int] {
    let n = env.numUsers
    let pending = (0..<n).filter { env.queryCount[$0] > 0 }
    var a = [Int](repeating: 0, count: n)
    let options = pending.map { allowedChoices(env, $0) }
    // Background: every pending user on its first allowed local choice (else offload).
    for (k, u) in pending.enumerated() { a[u] = options[k].first(where: { $0 > 0 }) ?? options[k][0] }
    // Start: each user's best choice against that background.
    var start = a
    for (k, u) in pending.enumerated() {
      var best = a[u], bestV = Double.infinity
      for c in options[k] {
        var t = a; t[u] = c
        let v = env.preview(t, objective: objective)
        if v < bestV { bestV = v; best = c }
      }
      start[u] = best
    }
    a = start
    var cur = env.preview(a, objective: objective)
    for _ in 0..<8 {
      var changed = false
      for (k, u) in pending.enumerated() {
        let orig = a[u]
        var bestC = orig
        for c in options[k] where c != orig {
          a[u] = c
          let v = env.preview(a, objective: objective)
          if v < cur - 1e-12 { cur = v; bestC = c }
        }
        a[u] = bestC
        if bestC != orig { changed = true }
      }
      if !changed { break }
    }
    return a
  }

  static func exhaustive(_ env: MECEnv, objective: SlotObjective) throws -> [Int] {
    guard env.numUsers <= oracleMaxUsers else {
      throw MECError.invalidPolicy("lyapunov-exhaustive searches every joint action per slot and is limited to \(oracleMaxUsers) users (env has \(env.numUsers))")
    }
    let pending = (0..<env.numUsers).filter { env.queryCount[$0] > 0 }
    let options = pending.map { allowedChoices(env, $0) }
    let total = options.reduce(1) { $0 * $1.count }
    guard total <= oracleMaxCombinations else {
      throw MECError.invalidPolicy("lyapunov-exhaustive search of \(total) joint actions exceeds \(oracleMaxCombinations)")
    }
    var a = [Int](repeating: 0, count: env.numUsers)
    var best = a, bestV = Double.infinity
    for code in 0..<total {
      var r = code
      for (k, u) in pending.enumerated() { a[u] = options[k][r % options[k].count]; r /= options[k].count }
      let v = env.preview(a, objective: objective)
      if v < bestV { bestV = v; best = a }
    }
    return best
  }
}

extension MECBaseline {
  /// Look-ahead (MPC) on a clone of the true simulator; see the table above.
  static func lookahead(_ env: MECEnv, slots: Int) throws -> [Int] {
    let pending = (0..<env.numUsers).filter { env.queryCount[$0] > 0 }
    var a = coordinateDescent(env, objective: .lyapunov)
    if pending.isEmpty || env.over { return a }
    let sim = env.clone()
    let start = sim.snapshot()
    // Cost of a first action: the constraint terms of the drift-plus-penalty objective over the window, plus
    // V × the *realized* latency (/ deadline) of every query that settles in it or is still in flight at its
    // end (the edge is drained): a new stream's slow-down of streams already running counts.
    let v = env.scenario.lyapunovV, deadline = env.scenario.deadlineSeconds
    func cost(_ first: [Int]) throws -> Double {
      defer { try? sim.restore(start) }
      var c = 0.0
      var action = first
      for k in 0..<slots {
        let st = try sim.step(action)
        let o = sim.lastOutcome
        c += o.lyapunovObjective - v * o.penalty
        for r in sim.lastSettled { c += v * r.latency / deadline }
        if st.done || k == slots - 1 { break }
        action = coordinateDescent(sim, objective: .lyapunov)
      }
      let settled = sim.lastSettled.count
      sim.advanceEdge(to: .infinity)
      for r in sim.lastSettled.dropFirst(settled) { c += v * r.latency / deadline }
      return c
    }
    let options = pending.map { allowedChoices(env, $0) }
    var cur = try cost(a)
    for _ in 0..<2 {
      var changed = false
      for (k, u) in pending.enumerated() {
        for c in options[k] where c != a[u] {
          var t = a
          t[u] = c
          let v = try cost(t)
          if v < cur - 1e-12 { cur = v; a = t; changed = true }
        }
      }
      if !changed { break }
    }
    return a
  }
}
