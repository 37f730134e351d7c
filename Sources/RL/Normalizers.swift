// Reward normalisation owned by the agent (so checkpoints hold its exact state).
// Rewards are divided by the std of the per-env discounted return G ← γG + r (reset at episode end) and
// clipped to ±clip — Gymnasium's NormalizeReward, i.e. the "37 details" reward scaling. Two estimators of
// that std:
//  - `running`: every return ever seen, equally weighted (Chan et al. parallel merge; never forgets);
//  - `ema` (default): exponentially weighted moments of the returns, one update per vector-env step with
//    decay d: m ← d·m + (1−d)·mean_b(G), q ← d·q + (1−d)·mean_b(G²), w ← d·w + (1−d) (bias correction, as in
//    Adam), Var = q/w − (m/w)². A windowed std that forgets the catastrophic early episodes, in the spirit of
//    DreamerV3's EMA-of-percentiles return scale (Hafner et al. 2023) — see docs/decisions/0200.
import EnvKit

public enum RewardNormalization: String, Codable, Sendable { case running, ema }

public struct RewardScaler: Codable, Equatable, Sendable {
  public var stats = RunningMeanStd(dimension: 1)
  public var returns: [Double]
  public let gamma: Double
  public let clip: Float
  /// EMA decay per vector-env step (nil = `running`).
  public let decay: Double?
  public var emaMean = 0.0, emaSquare = 0.0, emaWeight = 0.0

  public init(numEnvs: Int, gamma: Float, clip: Float, decay: Double? = nil) {
    returns = [Double](repeating: 0, count: numEnvs)
    self.gamma = Double(gamma)
    self.clip = clip
    self.decay = decay
  }

  /// Scales one vector-env step of rewards, updating the statistics first (as the wrapper does).
  public mutating func scale(rewards: [Float], dones: [Bool]) -> [Float] {
    for i in 0..<returns.count { returns[i] = returns[i] * gamma + Double(rewards[i]) }
    if let d = decay {
      // Float-rounded returns, as the running estimator sees them.
      let g = returns.map { Double(Float($0)) }
      let n = Double(g.count)
      emaMean = d * emaMean + (1 - d) * g.reduce(0, +) / n
      emaSquare = d * emaSquare + (1 - d) * g.reduce(0) { $0 + $1 * $1 } / n
      emaWeight = d * emaWeight + (1 - d)
    } else {
      stats.update(batch: returns.map(Float.init), rows: returns.count)
    }
    for i in 0..<returns.count where dones[i] { returns[i] = 0 }
    return rewards.map(scale)
  }

  /// The current variance estimate of the discounted return (1 before any update).
  public var variance: Double {
    guard decay != nil else { return stats.variance[0] }
    guard emaWeight > 0 else { return 1 }
    let m = emaMean / emaWeight
    return max(0, emaSquare / emaWeight - m * m)
  }

  /// Scales with the current statistics, without updating them (imagination, value bootstraps).
  public func scale(_ r: Float) -> Float {
    let s = Float((variance + 1e-8).squareRoot())
    return min(max(r / s, -clip), clip)
  }
}
