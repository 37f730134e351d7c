// Classic offloading baselines, with the same `Policy` interface as learned agents (EnvKit).
//
// | name           | knowledge                | rule                                                              |
// |----------------|--------------------------|-------------------------------------------------------------------|
// | always-local   | mask only                | best hosted variant (choice 1) when allowed, else offload         |
// | always-offload | mask only                | offload (choice 0) when allowed, else the best local variant      |
// | random         | mask only                | uniform among allowed choices per user (seeded)                   |
// | greedy         | full knowledge of slot   | minimises the myopic constrained slot objective (1000·violation  |
// |                |                          | + latency penalty, see SlotModel.swift) by coordinate descent    |
// | lyapunov       | full knowledge of slot   | minimises the drift-plus-penalty objective with the env's current |
// |                |                          | virtual queues (V·P + Σ Y·d + Z·ΔA + H·ΔH) by coordinate descent  |
// | oracle         | full knowledge of slot   | the same drift-plus-penalty objective minimised *exhaustively*   |
// |                |                          | over all joint choices of the pending users (N ≤ 10)              |
// "Full knowledge of the slot": the policy reads the env's exact slot state (channels, queues, pending
// queries, edge backlog) and scores candidate action vectors with `MECEnv.preview` — information a real
// controller would only estimate. Coordinate descent: start from every pending user's best single-user
// choice against the all-local background, then sweep users in order, switching a user's choice when that
// lowers the joint objective, until a sweep changes nothing (at most 8 sweeps).
import EnvKit
import TensorCore

public enum MECBaselineKind: String, CaseIterable, Sendable {
  case alwaysLocal = "always-local", alwaysOffload = "always-offload", random, greedy, lyapunov, oracle
}

public struct MECBaseline: Policy {
  public let kind: MECBaselineKind
  public var rng: RNG
  /// Largest joint search the oracle accepts (choices^pending).
  public static let oracleMaxCombinations = 1 << 16
  public static let oracleMaxUsers = 10
  public var name: String { kind.rawValue }

  public init(_ kind: MECBaselineKind, seed: UInt64 = 0) {
    self.kind = kind
    rng = RNG(seed: seed).split("policy")
  }

  public init(name: String, seed: UInt64 = 0) throws {
    guard let k = MECBaselineKind(rawValue: name) else {
      throw MECError.invalidPolicy("unknown baseline '\(name)' (known: \(MECBaselineKind.allCases.map(\.rawValue).joined(separator: ", ")))")
    }
    self.init(k, seed: seed)
  }

  public mutating func reset(seed: UInt64) { rng = RNG(seed: seed).split("policy") }

  public mutating func act(obs: [Float], mask: [Bool]?, env: (any Environment)?) throws -> [Int] {
    switch kind {
    case .alwaysLocal, .alwaysOffload, .random:
      let n = (obs.count - MECEnv.globalFeatures) / MECEnv.featuresPerUser
      guard n >= 1, obs.count == n * MECEnv.featuresPerUser + MECEnv.globalFeatures else {
        throw MECError.invalidPolicy("\(name): observation of \(obs.count) values is not an MEC observation")
      }
      let c: Int
      if let m = mask { c = m.count / n } else if let e = env { c = e.actionSpace.nvec.first ?? 2 } else { c = 2 }
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
    case .greedy, .lyapunov, .oracle:
      guard let mec = env as? MECEnv else {
        throw MECError.invalidPolicy("\(name) needs full knowledge of the slot: pass the MECEnv itself")
      }
      if kind == .oracle { return try Self.exhaustive(mec, objective: .lyapunov) }
      return Self.coordinateDescent(mec, objective: kind == .greedy ? .greedy : .lyapunov)
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
      throw MECError.invalidPolicy("oracle is exhaustive per slot and limited to \(oracleMaxUsers) users (env has \(env.numUsers))")
    }
    let pending = (0..<env.numUsers).filter { env.queryCount[$0] > 0 }
    let options = pending.map { allowedChoices(env, $0) }
    let total = options.reduce(1) { $0 * $1.count }
    guard total <= oracleMaxCombinations else {
      throw MECError.invalidPolicy("oracle search of \(total) joint actions exceeds \(oracleMaxCombinations)")
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
