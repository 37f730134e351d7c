// Deterministic evaluation and the EnvKit `Policy` face of a trained agent (mode actions, frozen
// observation normalisation), so learned policies are evaluated exactly like the classic baselines.
import EnvKit
import TensorCore

public struct AgentPolicy: Policy {
  public let net: ActorCritic
  public let obsStats: RunningMeanStd?
  public let obsClip: Float
  public var deterministic: Bool
  var rng: RNG
  public var name: String
  public init(net: ActorCritic, obsStats: RunningMeanStd?, obsClip: Float, deterministic: Bool = true,
              name: String = "ppo", seed: UInt64 = 0) {
    self.net = net; self.obsStats = obsStats; self.obsClip = obsClip
    self.deterministic = deterministic; self.name = name
    rng = RNG(seed: seed).split("eval-action")
  }
  public mutating func reset(seed: UInt64) { rng = RNG(seed: seed).split("eval-action") }
  public mutating func act(obs: [Float], mask: [Bool]?, env: (any Environment)?) throws -> [Int] {
    guard obs.count == net.obsDim else {
      throw RLError.shape("policy expects \(net.obsDim) observation values, got \(obs.count)")
    }
    var x = obs
    obsStats?.normalize(&x, clip: Double(obsClip))
    let (logits, _) = try net.infer(x, batch: 1)
    var r: RNG? = deterministic ? nil : rng
    let a = try net.act(logits: logits, masks: mask, batch: 1, rng: &r).actions
    if let r { rng = r }
    return a
  }
}

public struct EvaluationResult: Codable, Equatable, Sendable {
  public var episodes: Int
  public var meanReturn: Double
  public var stdReturn: Double
  public var meanLength: Double
  public var returns: [Double]
  /// Per-step means of the env's info metrics (keys = env.infoKeys) and costs (env.costKeys).
  public var infoMeans: [String: Double]
}

/// Runs `episodes` episodes (episode k reset with seed + k) and averages returns and info metrics.
public func evaluatePolicy<E: Environment, P: Policy>(_ policy: inout P, env: inout E, episodes: Int, seed: UInt64,
                                                     maxSteps: Int = 100_000) throws -> EvaluationResult {
  guard episodes >= 1 else { throw RLError.invalidConfig("episodes must be >= 1, got \(episodes)") }
  try Limits.size(episodes, max: 1_000_000, name: "episodes", min: 1)
  var returns: [Double] = [], lengths = 0.0
  let keys = env.infoKeys, ckeys = env.costKeys
  var sums = [Double](repeating: 0, count: keys.count + ckeys.count)
  var steps = 0.0
  for k in 0..<episodes {
    policy.reset(seed: seed &+ UInt64(k))
    var (obs, _) = env.reset(seed: seed &+ UInt64(k))
    var ret = 0.0, len = 0
    while len < maxSteps {
      try Cancellation.check()
      let a = try policy.act(obs: obs, mask: env.actionMask(), env: env)
      let s = try env.step(a)
      ret += Double(s.reward); len += 1; steps += 1
      for (i, v) in s.info.metrics.enumerated() where i < keys.count { sums[i] += v }
      for (i, v) in s.info.costs.enumerated() where i < ckeys.count { sums[keys.count + i] += v }
      obs = s.obs
      if s.done { break }
    }
    returns.append(ret); lengths += Double(len)
  }
  let mean = returns.reduce(0, +) / Double(episodes)
  let sd = (returns.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(1, episodes - 1))).squareRoot()
  var info: [String: Double] = [:]
  for (i, k) in keys.enumerated() { info[k] = sums[i] / max(steps, 1) }
  for (i, k) in ckeys.enumerated() { info["cost." + k] = sums[keys.count + i] / max(steps, 1) }
  return EvaluationResult(episodes: episodes, meanReturn: mean, stdReturn: sd, meanLength: lengths / Double(episodes),
                          returns: returns, infoMeans: info)
}

extension PPO {
  /// The current policy (deterministic by default) with a snapshot of the observation statistics.
  public func policy(deterministic: Bool = true, name: String? = nil) -> AgentPolicy {
    AgentPolicy(net: net, obsStats: config.normalizeObservations ? obsStats : nil, obsClip: config.obsClip,
                deterministic: deterministic, name: name ?? (worldModel == nil ? "ppo" : "wmppo"), seed: seed)
  }
  public func evaluate(env: inout E, episodes: Int, seed: UInt64, deterministic: Bool = true) throws -> EvaluationResult {
    var p = policy(deterministic: deterministic)
    return try evaluatePolicy(&p, env: &env, episodes: episodes, seed: seed)
  }
}
