// Generalised advantage estimation (Schulman et al. 2016) over a [T × N] rollout (time-major, N parallel
// envs, index t*N + e), distinguishing the two ways an episode ends:
//  - termination (a true terminal state): no bootstrap, the value after it is 0;
//  - truncation (time limit): the episode was cut, not finished, so the target bootstraps with
//    V(final_obs) — the value of the real last observation, which an autoresetting vector env reports
//    separately because the observation it returns is already the next episode's first one.
// In both cases the λ-recursion stops at the boundary (the next step belongs to a new episode).
//   δ_t = r_t + γ · next_t − V(s_t),   next_t = 0 if terminated, V(final_obs_t) if truncated,
//                                       V(s_{t+1}) otherwise (bootstrapValue for t = T−1)
//   A_t = δ_t + γλ · (1 − done_t) · A_{t+1}
import TensorCore

public struct GAEResult: Equatable {
  public var advantages: [Float]
  /// λ-returns A_t + V(s_t): the value targets.
  public var returns: [Float]
}

public enum RLError: Error, CustomStringConvertible, Equatable {
  case shape(String)
  case invalidConfig(String)
  case invalidAction(String)
  case checkpoint(String)
  case nonFinite(String)

  public var description: String {
    switch self {
    case .shape(let m): return "RL shape error: \(m)"
    case .invalidConfig(let m): return "RL invalid configuration: \(m)"
    case .invalidAction(let m): return "RL invalid action: \(m)"
    case .checkpoint(let m): return "RL checkpoint error: \(m)"
    case .nonFinite(let m): return "RL non-finite value: \(m)"
    }
  }
}

/// - Parameters:
///   - rewards, values, terminated, truncated: [T·N] time-major.
///   - finalValues: [T·N]; read only where `truncated` (V of the true final observation).
///   - bootstrapValues: [N], V(s_T) for the observation after the last step.
public func computeGAE(rewards: [Float], values: [Float], terminated: [Bool], truncated: [Bool],
                       finalValues: [Float], bootstrapValues: [Float], numEnvs n: Int,
                       gamma: Float, lambda: Float) throws -> GAEResult {
  let total = rewards.count
  guard n > 0, total % n == 0 else { throw RLError.shape("GAE: \(total) rewards not divisible by \(n) envs") }
  for (name, c) in [("values", values.count), ("terminated", terminated.count), ("truncated", truncated.count),
                    ("finalValues", finalValues.count)] where c != total {
    throw RLError.shape("GAE: \(name) has \(c) entries, rewards has \(total)")
  }
  guard bootstrapValues.count == n else {
    throw RLError.shape("GAE: bootstrapValues has \(bootstrapValues.count) entries, expected \(n)")
  }
  let steps = total / n
  var adv = [Float](repeating: 0, count: total)
  for e in 0..<n {
    var carry: Float = 0
    for t in stride(from: steps - 1, through: 0, by: -1) {
      let i = t * n + e
      let next: Float
      if terminated[i] { next = 0 } else if truncated[i] { next = finalValues[i] } else {
        next = t == steps - 1 ? bootstrapValues[e] : values[i + n]
      }
      let delta = rewards[i] + gamma * next - values[i]
      let cont: Float = (terminated[i] || truncated[i]) ? 0 : 1
      carry = delta + gamma * lambda * cont * carry
      adv[i] = carry
    }
  }
  return GAEResult(advantages: adv, returns: zip(adv, values).map { $0 + $1 })
}

/// Mean/std normalisation of advantages within a minibatch (CleanRL: std with Bessel's correction, +1e-8).
public func normalizeAdvantages(_ a: [Float]) -> [Float] {
  let n = a.count
  guard n > 1 else { return a.map { _ in 0 } }
  let m = a.reduce(0, +) / Float(n)
  let v = a.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Float(n - 1)
  let s = v.squareRoot() + 1e-8
  return a.map { ($0 - m) / s }
}
