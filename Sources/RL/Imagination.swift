// Imagination plumbing, written once against a protocol that both the learned world model and a
// true-simulator wrapper implement — so a test can swap in the simulator and check that imagined returns
// equal real ones exactly.
// An imagined rollout starts from real states (a batch of B branch points), lets the current policy act for
// H steps inside the model, and records what PPO and the value targets need.
import TensorCore

/// A batched one-step model of the environment in raw (un-normalised) observation space.
public protocol ImaginationModel {
  associatedtype State
  /// Advances `state` (B branches) by one step given raw observations [B×D] and actions [B×heads];
  /// returns the next raw observations [B×D], raw rewards [B] and continuation flags [B] (0 = the episode
  /// terminated at this step, 1 = it goes on).
  /// The state afterwards holds the masks of the next step.
  func imagineStep(state: inout State, obs: [Float], actions: [Int], batch: Int) throws
    -> (nextObs: [Float], rewards: [Float], continues: [Float])
  /// Action masks [B×maskDim] valid in `state` (nil = everything allowed).
  func masks(state: State, batch: Int) -> [Bool]?
  /// As `imagineStep`, plus which branches were truncated (time limit) at this step: the episode was cut, not
  /// finished, so the imagined return bootstraps with V(next observation) there and stops. Models that never
  /// truncate (the learned model: it imagines the infinite-horizon task) use the default, all false.
  func imagineStepWithEnds(state: inout State, obs: [Float], actions: [Int], batch: Int) throws
    -> (nextObs: [Float], rewards: [Float], continues: [Float], truncated: [Bool])
}

extension ImaginationModel {
  public func imagineStepWithEnds(state: inout State, obs: [Float], actions: [Int], batch: Int) throws
    -> (nextObs: [Float], rewards: [Float], continues: [Float], truncated: [Bool]) {
    let (n, r, c) = try imagineStep(state: &state, obs: obs, actions: actions, batch: batch)
    return (n, r, c, [Bool](repeating: false, count: batch))
  }
}

/// The policy as imagination sees it. `prepare` maps raw observations to the networks' input (the learner's
/// frozen observation normalisation; identity by default), once per imagined state; `act` maps inputs to
/// actions and log-probs and `value` inputs to values, each over one imagined step of all branches × draws at a
/// time (one product per layer). `rng == nil` means deterministic (mode) actions.
public struct ImaginationPolicy {
  public var prepare: (_ rawObs: [Float]) -> [Float]
  public var act: (_ input: [Float], _ masks: [Bool]?, _ batch: Int, _ rng: inout RNG?) throws
    -> (actions: [Int], logProbs: [Float])
  public var value: (_ input: [Float], _ batch: Int) throws -> [Float]
  /// Converts a raw reward to the learner's reward scale (reward normalisation), elementwise.
  public var scaleReward: (Float) -> Float
  public init(prepare: @escaping (_ rawObs: [Float]) -> [Float] = { $0 },
              act: @escaping (_ input: [Float], _ masks: [Bool]?, _ batch: Int, _ rng: inout RNG?) throws
                -> (actions: [Int], logProbs: [Float]),
              value: @escaping (_ input: [Float], _ batch: Int) throws -> [Float],
              scaleReward: @escaping (Float) -> Float = { $0 }) {
    self.prepare = prepare; self.act = act; self.value = value; self.scaleReward = scaleReward
  }
}

/// An imagined rollout, time-major [H × B].
public struct ImaginedRollout {
  public var horizon: Int, batch: Int, obsDim: Int
  /// Raw observations ŝ_0..ŝ_{H−1} [H×B×D] (ŝ_0 is the real branch state) and ŝ_H [B×D].
  public var obs: [Float], lastObs: [Float]
  public var masks: [Bool]?, actions: [Int], logProbs: [Float]
  /// V(ŝ_k) for k = 0..H [(H+1)×B].
  public var values: [Float]
  /// Scaled rewards r̂_k [H×B] and continuation flags (0 after a predicted termination) [H×B].
  public var rewards: [Float], continues: [Float]
  /// 1 where the episode was truncated at step k (time limit): c_k stays 1, V(ŝ_{k+1}) is the value of the
  /// final observation, and the branch is over afterwards [H×B] (empty = no truncation anywhere).
  public var ends: [Float] = []

  func ended(_ i: Int) -> Bool { !ends.isEmpty && ends[i] > 0 }

  /// Whether row k·B+b is a real decision of a live branch (k = 0, or no termination/truncation before k):
  /// only those rows may enter the PPO batch.
  public func isLive(_ i: Int) -> Bool {
    i < batch || (continues[i - batch] > 0 && !ended(i - batch))
  }

  /// λ-return from the branch state: G_k = r_k + γ c_k ((1−λ) V_{k+1} + λ G_{k+1}), G_H = V_H; at a
  /// truncation G_k = r_k + γ V_{k+1} (the recursion stops, as GAE's does).
  /// λ = 1 gives the MVE target Σ γ^k r_k + γ^H V(ŝ_H) (stopped at a termination).
  public func lambdaReturns(gamma: Float, lambda: Float) -> [Float] {
    var g = Array(values[(horizon * batch)..<((horizon + 1) * batch)])
    var all = [Float](repeating: 0, count: horizon * batch)
    for k in stride(from: horizon - 1, through: 0, by: -1) {
      for b in 0..<batch {
        let i = k * batch + b
        let vNext = values[(k + 1) * batch + b]
        let tail = ended(i) ? vNext : (1 - lambda) * vNext + lambda * g[b]
        g[b] = rewards[i] + gamma * continues[i] * tail
        all[i] = g[b]
      }
    }
    return all
  }

  /// GAE over the imagined segment (bootstrapped with V(ŝ_H); at a truncation with V(ŝ_{k+1})), for mixing
  /// imagined transitions into PPO.
  public func gae(gamma: Float, lambda: Float) throws -> GAEResult {
    let n = horizon * batch
    return try computeGAE(rewards: rewards, values: Array(values[0..<n]),
                          terminated: continues.map { $0 == 0 },
                          truncated: ends.isEmpty ? [Bool](repeating: false, count: n) : ends.map { $0 > 0 },
                          finalValues: Array(values[batch..<(n + batch)]),
                          bootstrapValues: Array(values[n..<(n + batch)]), numEnvs: batch,
                          gamma: gamma, lambda: lambda)
  }
}

/// Runs the policy for `horizon` steps inside `model` from `startObs` [B×D] and `state`.
/// After a termination or truncation a branch keeps stepping, but its rewards, values and continuation flags
/// are zeroed (after a truncation the next value, of the final observation, is kept for the bootstrap).
public func imagine<M: ImaginationModel>(model: M, state: inout M.State, startObs: [Float], batch: Int,
                                         obsDim: Int, horizon: Int, policy: ImaginationPolicy,
                                         rng: inout RNG?) throws -> ImaginedRollout {
  guard horizon >= 1, batch >= 1, startObs.count == batch * obsDim else {
    throw RLError.shape("imagine: horizon \(horizon), batch \(batch), start obs \(startObs.count) vs \(batch)×\(obsDim)")
  }
  var r = ImaginedRollout(horizon: horizon, batch: batch, obsDim: obsDim, obs: [], lastObs: [], masks: nil,
                          actions: [], logProbs: [], values: [], rewards: [], continues: [])
  let n = horizon * batch
  r.obs.reserveCapacity(n * obsDim); r.values.reserveCapacity(n + batch); r.logProbs.reserveCapacity(n)
  r.rewards.reserveCapacity(n); r.continues.reserveCapacity(n); r.ends.reserveCapacity(n)
  var cur = startObs
  var alive = [Float](repeating: 1, count: batch)
  // 1 for one step after a truncation: the value of the final observation is the bootstrap.
  var bootstrapOnly = [Float](repeating: 0, count: batch)
  var anyEnd = false
  var allMasks: [Bool] = []
  var anyMask = false
  for _ in 0..<horizon {
    let m = model.masks(state: state, batch: batch)
    if let m { anyMask = true; allMasks += m }
    let x = policy.prepare(cur)
    let (a, lp) = try policy.act(x, m, batch, &rng)
    let v = try policy.value(x, batch)
    r.obs += cur
    r.actions += a
    r.logProbs += lp
    for b in 0..<batch { r.values.append(v[b] * max(alive[b], bootstrapOnly[b])); bootstrapOnly[b] = 0 }
    let (next, rew, cont, trunc) = try model.imagineStepWithEnds(state: &state, obs: cur, actions: a, batch: batch)
    for b in 0..<batch {
      r.rewards.append(alive[b] * policy.scaleReward(rew[b]))
      let c = alive[b] * cont[b]
      r.continues.append(c)
      let end: Float = trunc[b] && c > 0 ? 1 : 0
      r.ends.append(end)
      if end > 0 { anyEnd = true; bootstrapOnly[b] = 1; alive[b] = 0 } else { alive[b] = c }
    }
    cur = next
  }
  r.lastObs = cur
  let last = try policy.value(policy.prepare(cur), batch)
  for b in 0..<batch { r.values.append(last[b] * max(alive[b], bootstrapOnly[b])) }
  if !anyEnd { r.ends = [] }
  if anyMask { r.masks = allMasks }
  return r
}
