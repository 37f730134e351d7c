// Diagnostics of the imagined value targets (logged per iteration, used to explain MVE collapses):
// the imagined H-step λ-return from a real state is compared with the same H-step λ-return computed on the
// real trajectory (real scaled rewards, the critic's values of the real states, same policy and critic), so
// the difference isolates the world model's contribution to the target's bias and spread.

/// H-step λ-return computed on a real rollout [T × N] (time-major): for row t·N+e with t+H < T and no
/// episode end in [t, t+H), G_k = r_k + γ((1−λ)V_{k+1} + λG_{k+1}), G_H = V(s_{t+H}); nil elsewhere.
/// With `finalValues` (V of the true final observation, read at truncations) a window that contains an episode
/// end is also defined, stopped there as GAE stops: G_k = r_k at a termination, r_k + γ·finalValue_k at a
/// truncation (so it matches the imagined λ-return of ImaginedRollout, which stops the same way).
/// `values` holds V(s_t) per row; `rewards` are in the learner's (scaled) units.
public func realLambdaReturns(rewards: [Float], values: [Float], terminated: [Bool], truncated: [Bool],
                              finalValues: [Float]? = nil,
                              steps: Int, numEnvs n: Int, horizon: Int, gamma: Float, lambda: Float) -> [Float?] {
  var out = [Float?](repeating: nil, count: steps * n)
  guard horizon >= 1 else { return out }
  for t in 0..<steps {
    for e in 0..<n {
      var end = -1
      for k in 0..<horizon where t + k < steps {
        let i = (t + k) * n + e
        if terminated[i] || truncated[i] { end = k; break }
      }
      if end < 0 && t + horizon >= steps { continue }
      if end >= 0 && finalValues == nil { continue }
      var g: Float, k0: Int
      if end >= 0 {
        let i = (t + end) * n + e
        g = terminated[i] ? rewards[i] : rewards[i] + gamma * finalValues![i]
        k0 = end - 1
      } else {
        g = values[(t + horizon) * n + e]
        k0 = horizon - 1
      }
      for k in stride(from: k0, through: 0, by: -1) {
        let i = (t + k) * n + e
        g = rewards[i] + gamma * ((1 - lambda) * values[(t + k + 1) * n + e] + lambda * g)
      }
      out[t * n + e] = g
    }
  }
  return out
}

/// Summary of imagined targets against the GAE returns and the real-trajectory λ-returns.
public struct TargetDiagnostics: Equatable {
  /// mean(target − R_GAE), std(R_GAE) (the critic-target scale), mean and RMS of (imagined − real λ-return)
  /// over rows where the real one exists, and the mean real vs imagined first-step scaled reward.
  public var gapToGAE = 0.0, returnStd = 0.0, biasToReal = 0.0, rmsToReal = 0.0
  public var realReward = 0.0, imaginedReward = 0.0

  public init(target: [Float], gae: [Float], real: [Float?], imagined: [Float],
              realRewards: [Float], imaginedRewards: [Float]) {
    let n = Double(max(gae.count, 1))
    gapToGAE = zip(target, gae).reduce(0) { $0 + Double($1.0 - $1.1) } / n
    let m = gae.reduce(0) { $0 + Double($1) } / n
    returnStd = (gae.reduce(0) { $0 + (Double($1) - m) * (Double($1) - m) } / n).squareRoot()
    var s = 0.0, s2 = 0.0, c = 0.0
    for (g, r) in zip(imagined, real) { if let r { let d = Double(g - r); s += d; s2 += d * d; c += 1 } }
    biasToReal = c > 0 ? s / c : .nan
    rmsToReal = c > 0 ? (s2 / c).squareRoot() : .nan
    realReward = realRewards.reduce(0) { $0 + Double($1) } / Double(max(realRewards.count, 1))
    imaginedReward = imaginedRewards.reduce(0) { $0 + Double($1) } / Double(max(imaginedRewards.count, 1))
  }
}

/// Explained variance of imagined targets as predictors of the real-trajectory λ-returns (rows where the
/// real one exists): 1 − Σ(g − r)² / Σ(r − r̄)². NaN-free: 0 when fewer than 2 rows or zero variance.
public func targetSkill(imagined: [Float], real: [Float?]) -> Double {
  var pairs: [(Double, Double)] = []
  for (g, r) in zip(imagined, real) { if let r { pairs.append((Double(g), Double(r))) } }
  guard pairs.count >= 2 else { return 0 }
  let mean = pairs.reduce(0) { $0 + $1.1 } / Double(pairs.count)
  let ss = pairs.reduce(0) { $0 + ($1.1 - mean) * ($1.1 - mean) }
  guard ss > 0 else { return 0 }
  return 1 - pairs.reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / ss
}
