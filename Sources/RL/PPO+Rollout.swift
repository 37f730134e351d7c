// PPO rollout collection: acts in the vector env, records everything the update and the world model need,
// and bootstraps truncated episodes from V(final_obs).
import EnvKit
import TensorCore

/// One finished training episode: the global step at which it ended, its undiscounted return and length.
public struct EpisodeRecord: Codable, Equatable, Sendable {
  /// Episodes in the moving window of `TrainStats.returnWindow` (100: the standard "solved" check).
  public static let window = 100
  public var step: Int
  public var episodeReturn: Double
  public var length: Int
}

/// The flattened training batch (real and, for WM-PPO, imagined samples).
public struct TrainBatch {
  public var obs: [Float] = []
  public var masks: [Bool]? = nil
  public var actions: [Int] = []
  public var logProbs: [Float] = []
  public var values: [Float] = []
  public var advantages: [Float] = []
  public var returns: [Float] = []
  /// Value-only rows (critic in imagination): normalised observations [R×D], targets [R], loss weight.
  public var criticObs: [Float] = []
  public var criticReturns: [Float] = []
  public var criticWeight: Float = 1
  public var count: Int { logProbs.count }
}

extension PPO {
  func collectRollout(stats: inout TrainStats) throws -> RolloutBuffer {
    let n = config.numEnvs, d = obsDim, m = vec.maskDim, h = vec.actionDim
    let costDim = vec.envs[0].costKeys.count
    var buf = RolloutBuffer(steps: config.numSteps, numEnvs: n, obsDim: d, maskDim: m, actionDim: h, costDim: costDim)
    var epReturns = 0.0, epLengths = 0.0, episodes = 0
    var rng: RNG? = actionRNG
    let snapshot = worldModel?.config.simulator == true
    var snaps: [AnyEnvironment] = []
    for t in 0..<config.numSteps {
      try Cancellation.check()
      let row = t * n
      if snapshot {
        for e in 0..<n {
          guard let c = EnvKit.snapshot(of: vec.envs[e]) else {
            throw RLError.invalidConfig("the perfect-model ablation needs an environment that can snapshot its state")
          }
          snaps.append(c)
        }
      }
      let raw = vec.observations
      let masks = vec.masks
      let (logits, values) = try net.infer(curObs, batch: n)
      let (actions, lps) = try net.act(logits: logits, masks: m > 0 ? masks : nil, batch: n, rng: &rng)
      RolloutBuffer.put(&buf.obs, curObs, row: row, width: d)
      RolloutBuffer.put(&buf.rawObs, raw, row: row, width: d)
      RolloutBuffer.put(&buf.masks, masks, row: row, width: m)
      RolloutBuffer.put(&buf.actions, actions, row: row, width: h)
      RolloutBuffer.put(&buf.logProbs, lps, row: row, width: 1)
      RolloutBuffer.put(&buf.values, values, row: row, width: 1)
      try vec.step(actions)
      globalStep += n
      let raws = vec.rewards
      let dones = (0..<n).map { vec.terminated[$0] || vec.truncated[$0] }
      let scaled = config.normalizeRewards ? rewardScaler.scale(rewards: raws, dones: dones) : raws
      RolloutBuffer.put(&buf.rewards, scaled, row: row, width: 1)
      RolloutBuffer.put(&buf.rawRewards, raws, row: row, width: 1)
      RolloutBuffer.put(&buf.terminated, vec.terminated, row: row, width: 1)
      RolloutBuffer.put(&buf.truncated, vec.truncated, row: row, width: 1)
      var next = vec.observations
      var truncRows: [Int] = []
      var truncObs: [Float] = []
      for e in 0..<n {
        let info = vec.finalInfos[e] ?? vec.infos[e]
        for c in 0..<costDim { buf.costs[(row + e) * costDim + c] = Float(info.costs[c]) }
        if let fo = vec.finalObservations[e] {
          for j in 0..<d { next[e * d + j] = fo[j] }
          if vec.truncated[e] { truncRows.append(e); truncObs += fo }
        }
        if let ep = vec.episodes[e] {
          epReturns += ep.episodeReturn; epLengths += Double(ep.length); episodes += 1
          episodeLog.append(EpisodeRecord(step: globalStep, episodeReturn: ep.episodeReturn, length: ep.length))
        }
      }
      RolloutBuffer.put(&buf.nextRawObs, next, row: row, width: d)
      RolloutBuffer.put(&buf.nextMasks, vec.masks, row: row, width: m)
      if !truncRows.isEmpty {
        var x = truncObs
        normalizeRows(&x)
        let fv = try net.values(x, batch: truncRows.count)
        for (k, e) in truncRows.enumerated() { buf.finalValues[row + e] = fv[k] }
      }
      curObs = observe(vec.observations, rows: n, update: true)
    }
    actionRNG = rng!
    if snapshot { worldModel?.snapshots = snaps }
    stats.episodes = episodes
    if episodes > 0 {
      stats.episodicReturn = epReturns / Double(episodes)
      stats.episodicLength = epLengths / Double(episodes)
    }
    let window = episodeLog.suffix(EpisodeRecord.window)
    if !window.isEmpty { stats.returnWindow = window.reduce(0) { $0 + $1.episodeReturn } / Double(window.count) }
    return buf
  }

  /// GAE on the real rollout → flattened batch.
  func makeTrainBatch(buffer b: RolloutBuffer) throws -> TrainBatch {
    let boot = try net.values(curObs, batch: config.numEnvs)
    let g = try computeGAE(rewards: b.rewards, values: b.values, terminated: b.terminated, truncated: b.truncated,
                           finalValues: b.finalValues, bootstrapValues: boot, numEnvs: config.numEnvs,
                           gamma: config.gamma, lambda: config.gaeLambda)
    return TrainBatch(obs: b.obs, masks: b.maskDim > 0 ? b.masks : nil, actions: b.actions, logProbs: b.logProbs,
                      values: b.values, advantages: g.advantages, returns: g.returns)
  }
}
