// PPO hyperparameters. Defaults follow CleanRL's ppo.py (REFERENCES.md, RL section) except where noted.

public struct PPOConfig: Codable, Equatable, Sendable {
  /// Parallel environments and steps per env per rollout (CleanRL: 4 × 128).
  public var numEnvs = 4
  public var numSteps = 128
  public var learningRate: Float = 2.5e-4
  public var annealLR = true
  public var gamma: Float = 0.99
  public var gaeLambda: Float = 0.95
  public var numMinibatches = 4
  public var updateEpochs = 4
  public var normalizeAdvantages = true
  public var loss = PPOLossConfig()
  public var maxGradNorm: Float = 0.5
  /// Stop the epoch loop early when approx_kl exceeds this (nil = never, CleanRL's default).
  public var targetKL: Float? = nil
  public var adamEps: Float = 1e-5
  /// Hidden sizes of the separate actor and critic MLPs (tanh).
  public var hidden = [64, 64]
  /// Observation normalisation (running mean/std, clipped to ±obsClip) and reward scaling by the running
  /// std of the discounted return (clipped to ±rewardClip), as Gymnasium's NormalizeObservation /
  /// NormalizeReward wrappers do.
  public var normalizeObservations = true
  public var normalizeRewards = true
  public var obsClip: Float = 10
  public var rewardClip: Float = 10
  /// How the return std behind the reward scaling is estimated (Normalizers.swift): `ema` (default) forgets,
  /// with a window of about `rewardWindow` rollouts (decay 1 − 1/(rewardWindow·numSteps) per vector step);
  /// `running` weighs every return since the start equally (Gymnasium's wrapper).
  public var rewardNormalization: RewardNormalization = .ema
  public var rewardWindow = 10
  /// Write a checkpoint every this many iterations when a checkpoint path is set (0 = never). At each
  /// checkpoint boundary the environments are re-seeded from (seed, iteration), so an interrupted and
  /// resumed run follows exactly the trajectory of an uninterrupted one.
  public var checkpointEvery = 0

  public init() {}

  public var batchSize: Int { numEnvs * numSteps }
  /// EMA decay per vector-env step of the reward scaler (nil for the running estimator).
  public var rewardDecay: Double? {
    rewardNormalization == .ema ? 1 - 1 / Double(max(1, rewardWindow * numSteps)) : nil
  }
  public var minibatchSize: Int { batchSize / numMinibatches }

  public func validate() throws {
    func bad(_ m: String) -> RLError { RLError.invalidConfig(m) }
    guard numEnvs >= 1 else { throw bad("numEnvs must be >= 1, got \(numEnvs)") }
    guard numSteps >= 1 else { throw bad("numSteps must be >= 1, got \(numSteps)") }
    guard numMinibatches >= 1, batchSize % numMinibatches == 0 else {
      throw bad("numMinibatches (\(numMinibatches)) must divide the batch size \(batchSize)")
    }
    guard updateEpochs >= 1 else { throw bad("updateEpochs must be >= 1, got \(updateEpochs)") }
    guard learningRate > 0, learningRate.isFinite else { throw bad("learningRate must be > 0, got \(learningRate)") }
    guard gamma > 0, gamma <= 1 else { throw bad("gamma must be in (0, 1], got \(gamma)") }
    guard gaeLambda >= 0, gaeLambda <= 1 else { throw bad("gaeLambda must be in [0, 1], got \(gaeLambda)") }
    guard loss.clip > 0 else { throw bad("clip must be > 0, got \(loss.clip)") }
    guard maxGradNorm > 0 else { throw bad("maxGradNorm must be > 0, got \(maxGradNorm)") }
    guard !hidden.isEmpty, hidden.allSatisfy({ $0 >= 1 }) else { throw bad("hidden sizes must be >= 1, got \(hidden)") }
    guard rewardWindow >= 1 else { throw bad("rewardWindow must be >= 1, got \(rewardWindow)") }
    guard checkpointEvery >= 0 else { throw bad("checkpointEvery must be >= 0") }
  }
}
