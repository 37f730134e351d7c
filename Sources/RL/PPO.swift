// PPO (Schulman et al. 2017) with the CleanRL / "37 implementation details" choices — see PPOConfig.
// One iteration = one vectorised rollout of numSteps × numEnvs, GAE, then updateEpochs passes over shuffled
// minibatches. `PPO` also carries the optional world-model extension (WM-PPO, see WMPPO.swift), which
// hooks in between the rollout and the update.
import EnvKit
import TensorCore

public final class PPO<E: Environment> {
  public let config: PPOConfig
  public let seed: UInt64
  /// Total env steps the LR schedule anneals over.
  public let totalSteps: Int
  public let net: ActorCritic
  public let optimizer: Adam
  public let vec: VectorEnv<E>
  public let dist: MultiCategorical
  public internal(set) var obsStats: RunningMeanStd
  public internal(set) var rewardScaler: RewardScaler
  public internal(set) var iteration = 0
  public internal(set) var globalStep = 0
  var actionRNG: RNG
  var minibatchRNG: RNG
  /// Normalised current observations [N×D].
  var curObs: [Float] = []
  public var worldModel: WMExtension?
  public internal(set) var history: [TrainStats] = []
  /// Every finished training episode, in order (the per-episode training log).
  public internal(set) var episodeLog: [EpisodeRecord] = []

  public var obsDim: Int { vec.obsDim }
  public var numIterations: Int { max(1, totalSteps / config.batchSize) }

  public init(config: PPOConfig, seed: UInt64, totalSteps: Int, makeEnv: (Int) throws -> E) throws {
    try config.validate()
    guard totalSteps >= 1 else { throw RLError.invalidConfig("totalSteps must be >= 1, got \(totalSteps)") }
    self.config = config
    self.seed = seed
    self.totalSteps = totalSteps
    vec = try VectorEnv(count: config.numEnvs, make: makeEnv)
    let root = RNG(seed: seed)
    var netRNG = root.split("policy-init")
    net = try ActorCritic(obsDim: vec.obsDim, nvec: vec.actionSpace.nvec, hidden: config.hidden, rng: &netRNG)
    dist = net.dist
    optimizer = Adam(net.parameters, lr: config.learningRate, eps: config.adamEps)
    obsStats = RunningMeanStd(dimension: vec.obsDim)
    rewardScaler = RewardScaler(numEnvs: config.numEnvs, gamma: config.gamma, clip: config.rewardClip,
                                decay: config.rewardDecay)
    actionRNG = root.split("action")
    minibatchRNG = root.split("minibatch")
    resetEnvironments()
  }

  /// Re-seeds every env from (seed, iteration) and restarts the return accumulators. Called at start and at
  /// checkpoint boundaries, so a resumed run follows the uninterrupted run exactly.
  func resetEnvironments() {
    var s = RNG(seed: seed).split("env").split(iteration)
    vec.reset(seed: s.next())
    for i in 0..<rewardScaler.returns.count { rewardScaler.returns[i] = 0 }
    curObs = observe(vec.observations, rows: config.numEnvs, update: true)
  }

  /// Updates the observation statistics (when training) and returns the normalised copy.
  func observe(_ raw: [Float], rows: Int, update: Bool) -> [Float] {
    guard config.normalizeObservations else { return raw }
    if update { obsStats.update(batch: raw, rows: rows) }
    var x = raw
    normalizeRows(&x)
    return x
  }

  func normalizeRows(_ x: inout [Float]) {
    guard config.normalizeObservations else { return }
    let d = obsDim
    // Same arithmetic as RunningMeanStd.normalize (Double, eps 1e-8), without per-row allocations.
    let mean = obsStats.mean
    let sd = obsStats.variance.map { ($0 + 1e-8).squareRoot() }
    let clip = Double(config.obsClip)
    x.withUnsafeMutableBufferPointer { p in
      for r in 0..<(p.count / d) {
        for j in 0..<d {
          // min(max(z, −clip), clip) written as its selects (Swift.max(x, y) = y >= x ? y : x, Swift.min(x, y)
          // = y < x ? y : x): the same numbers, and the loop vectorises (the generic calls stayed scalar).
          let z = (Double(p[r * d + j]) - mean[j]) / sd[j]
          let low = -clip >= z ? -clip : z
          p[r * d + j] = Float(clip < low ? clip : low)
        }
      }
    }
  }

  public func scaleReward(_ r: Float) -> Float { config.normalizeRewards ? rewardScaler.scale(r) : r }

  /// The policy as imagination sees it (raw observations normalised once with the frozen statistics, then the
  /// actor and the critic on them).
  public func imaginationPolicy() -> ImaginationPolicy {
    ImaginationPolicy(
      prepare: { [unowned self] raw in
        var x = raw
        self.normalizeRows(&x)
        return x
      },
      act: { [unowned self] x, masks, batch, rng in
        try self.net.act(logits: try self.net.logits(x, batch: batch), masks: masks, batch: batch, rng: &rng)
      },
      value: { [unowned self] x, batch in try self.net.values(x, batch: batch) },
      scaleReward: { [unowned self] in self.scaleReward($0) })
  }

  /// Runs iterations until `steps` more env steps have been taken; `onIteration` sees each iteration's stats.
  public func train(steps: Int, onIteration: ((TrainStats) throws -> Void)? = nil) throws {
    let target = globalStep + steps
    while globalStep < target {
      try Cancellation.check()
      let s = try runIteration()
      try onIteration?(s)
    }
    // Overlapped world-model training: the last job finishes before control returns (nothing runs on).
    try worldModel?.settle()
  }

  /// One rollout + update.
  @discardableResult
  public func runIteration() throws -> TrainStats {
    let t0 = monotonicSeconds()
    iteration += 1
    if config.annealLR {
      let frac = max(0, 1 - Float(iteration - 1) / Float(numIterations))
      optimizer.learningRate = frac * config.learningRate
    }
    var stats = TrainStats()
    let buffer = try collectRollout(stats: &stats)
    var batch = try makeTrainBatch(buffer: buffer)
    if let wm = worldModel { try wm.augment(ppo: self, buffer: buffer, batch: &batch, stats: &stats) }
    try update(batch: batch, stats: &stats)
    stats.iteration = iteration
    stats.globalStep = globalStep
    stats.learningRate = Double(optimizer.learningRate)
    stats.sps = Double(config.batchSize) / max(1e-9, monotonicSeconds() - t0)
    history.append(stats)
    if config.checkpointEvery > 0 && iteration % config.checkpointEvery == 0 {
      if let path = checkpointPath { try save(path: path) } else { resetEnvironments() }
    }
    return stats
  }

  /// An opaque description of the environment (set by whoever builds the envs, e.g. the Lua binding stores
  /// the MEC scenario as JSON) kept in checkpoints so a loader can rebuild the same envs.
  public var envSpec: String?

  /// Where the periodic checkpoint goes (nil: boundaries still re-seed the envs, nothing is written).
  public var checkpointPath: String?
}
