// PPO hyperparameters. Defaults follow CleanRL's ppo.py (REFERENCES.md, RL section) except where noted.
import TensorCore

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

  /// Upper bounds (sizes that become buffers and weight matrices) and finiteness of every real option,
  /// checked before any product is formed (docs/decisions/0500-limits-and-cancellation.md).
  func checkLimits() throws {
    try Limits.size(numEnvs, max: 4096, name: "num_envs", min: 1)
    try Limits.size(numSteps, max: 1 << 20, name: "num_steps", min: 1)
    try Limits.size(numMinibatches, max: 1 << 20, name: "num_minibatches", min: 1)
    try Limits.size(updateEpochs, max: 10_000, name: "update_epochs", min: 1)
    try Limits.size(hidden.count, max: 64, name: "number of hidden layers", min: 1)
    for h in hidden { try Limits.size(h, max: 1 << 16, name: "hidden", min: 1) }
    // Rollout buffer: ~16 floats of bookkeeping per (env, step) beyond the observation itself.
    try Limits.allocation([numEnvs, numSteps], bytesPerElement: 64, what: "PPO rollout buffer num_envs × num_steps")
    for (a, b) in zip(hidden, hidden.dropFirst()) {
      // Weights plus Adam's two moments and the gradient, for actor and critic.
      try Limits.allocation([a, b], bytesPerElement: 4 * 4 * 2, what: "hidden layer \(a) × \(b)")
    }
    try Limits.positive(Double(learningRate), name: "learning_rate")
    try Limits.real(Double(gamma), name: "gamma", min: 0, max: 1)
    try Limits.probability(Double(gaeLambda), name: "gae_lambda")
    try Limits.positive(Double(loss.clip), name: "loss.clip")
    try Limits.positive(Double(loss.valueClip), name: "loss.value_clip")
    try Limits.positive(Double(maxGradNorm), name: "max_grad_norm")
    try Limits.real(Double(loss.entropyCoef), name: "loss.entropy_coef", min: 0)
    try Limits.real(Double(loss.valueCoef), name: "loss.value_coef", min: 0)
    if let k = targetKL { try Limits.positive(Double(k), name: "target_kl") }
    try Limits.positive(Double(adamEps), name: "adam_eps")
    try Limits.positive(Double(obsClip), name: "obs_clip")
    try Limits.positive(Double(rewardClip), name: "reward_clip")
    try Limits.size(checkpointEvery, max: Int(Int32.max), name: "checkpoint_every")
  }
  public var minibatchSize: Int { batchSize / numMinibatches }

  public func validate() throws {
    func bad(_ m: String) -> RLError { RLError.invalidConfig(m) }
    try checkLimits()
    guard numEnvs >= 1 else { throw bad("num_envs must be >= 1, got \(numEnvs)") }
    guard numSteps >= 1 else { throw bad("num_steps must be >= 1, got \(numSteps)") }
    guard numMinibatches >= 1, batchSize % numMinibatches == 0 else {
      throw bad("num_minibatches (\(numMinibatches)) must divide the batch size \(batchSize)")
    }
    guard updateEpochs >= 1 else { throw bad("update_epochs must be >= 1, got \(updateEpochs)") }
    guard learningRate > 0, learningRate.isFinite else { throw bad("learning_rate must be > 0, got \(learningRate)") }
    guard gamma > 0, gamma <= 1 else { throw bad("gamma must be in (0, 1], got \(gamma)") }
    guard gaeLambda >= 0, gaeLambda <= 1 else { throw bad("gae_lambda must be in [0, 1], got \(gaeLambda)") }
    guard loss.clip > 0 else { throw bad("loss.clip must be > 0, got \(loss.clip)") }
    guard maxGradNorm > 0 else { throw bad("max_grad_norm must be > 0, got \(maxGradNorm)") }
    guard !hidden.isEmpty, hidden.allSatisfy({ $0 >= 1 }) else { throw bad("hidden sizes must be >= 1, got \(hidden)") }
    guard rewardWindow >= 1 else { throw bad("reward_window must be >= 1, got \(rewardWindow)") }
    guard checkpointEvery >= 0 else { throw bad("checkpoint_every must be >= 0") }
  }
}
