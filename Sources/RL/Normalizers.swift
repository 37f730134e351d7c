// Observation and reward normalisation owned by the agent (so checkpoints hold their exact state).
// Observations: running mean/std over every observation seen in rollouts, clipped to ±clip.
// Rewards: divided by the running std of the per-env discounted return G ← γG + r (reset at episode end),
// clipped to ±clip — Gymnasium's NormalizeReward, i.e. the "37 details" reward scaling.
import EnvKit

public struct RewardScaler: Codable, Equatable, Sendable {
  public var stats = RunningMeanStd(dimension: 1)
  public var returns: [Double]
  public let gamma: Double
  public let clip: Float

  public init(numEnvs: Int, gamma: Float, clip: Float) {
    returns = [Double](repeating: 0, count: numEnvs)
    self.gamma = Double(gamma)
    self.clip = clip
  }

  /// Scales one vector-env step of rewards, updating the statistics first (as the wrapper does).
  public mutating func scale(rewards: [Float], dones: [Bool]) -> [Float] {
    for i in 0..<returns.count { returns[i] = returns[i] * gamma + Double(rewards[i]) }
    stats.update(batch: returns.map(Float.init), rows: returns.count)
    for i in 0..<returns.count where dones[i] { returns[i] = 0 }
    return rewards.map(scale)
  }

  /// Scales with the current statistics, without updating them (imagination, value bootstraps).
  public func scale(_ r: Float) -> Float {
    let s = Float((stats.variance[0] + 1e-8).squareRoot())
    return min(max(r / s, -clip), clip)
  }
}
