// Checkpoints: everything a run needs to continue exactly — parameters, Adam moments and step counts,
// observation/reward normaliser statistics, every RNG stream, iteration and step counters, and for WM-PPO the
// world models and their recent-rollout window. Saving re-seeds the environments from (seed, iteration)
// (see PPOConfig.checkpointEvery), and loading does the same, so "save, keep training" and "load, train"
// produce identical runs. Format: JSON (Float values round-trip exactly through Swift's shortest repr).
import EnvKit
import Foundation
import TensorCore

public struct TensorSnapshot: Codable, Equatable {
  public var name: String
  public var shape: [Int]
  public var values: [Float]
}

public struct AdamSnapshot: Codable, Equatable {
  public var learningRate: Float
  public var state: AdamState
}

public struct WorldModelSnapshot: Codable {
  public var params: [TensorSnapshot]
  public var adam: AdamSnapshot
}

public struct PPOCheckpoint: Codable {
  public var format = "edgelab-rl-checkpoint-1"
  public var kind: String
  public var config: PPOConfig
  public var wmConfig: WMPPOConfig?
  public var seed: UInt64
  public var totalSteps: Int
  public var iteration: Int
  public var globalStep: Int
  public var params: [TensorSnapshot]
  public var adam: AdamSnapshot
  public var obsStats: RunningMeanStd
  public var rewardScaler: RewardScaler
  public var actionRNG: RNG
  public var minibatchRNG: RNG
  public var worldModels: [WorldModelSnapshot]?
  public var wmRNG: RNG?
  public var wmRecent: [RolloutBuffer]?
  /// Overlapped world-model training: the mean loss of the last finished job (the next iteration reports it).
  public var wmJobLoss: Double?
  public var history: [TrainStats]
  public var envSpec: String?
  /// Finished training episodes (absent in checkpoints written before the log existed).
  public var episodeLog: [EpisodeRecord]?

  public static func read(path: String) throws -> PPOCheckpoint {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw RLError.checkpoint("cannot read checkpoint file \(path)")
    }
    do {
      let dec = JSONDecoder()
      dec.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
      let c = try dec.decode(PPOCheckpoint.self, from: data)
      guard c.format == "edgelab-rl-checkpoint-1" else { throw RLError.checkpoint("\(path): unknown format \(c.format)") }
      return c
    } catch let e as RLError { throw e } catch {
      throw RLError.checkpoint("\(path) is not a valid EdgeLab RL checkpoint: \(error)")
    }
  }
}

func snapshot(_ named: [(String, Tensor)]) -> [TensorSnapshot] {
  named.map { TensorSnapshot(name: $0.0, shape: $0.1.shape, values: $0.1.toArray()) }
}

func restore(_ named: [(String, Tensor)], from snaps: [TensorSnapshot]) throws {
  guard named.count == snaps.count else {
    throw RLError.checkpoint("checkpoint has \(snaps.count) tensors, the network has \(named.count)")
  }
  for ((name, t), s) in zip(named, snaps) {
    guard name == s.name, t.shape == s.shape, s.values.count == t.count else {
      throw RLError.checkpoint("tensor \(s.name) \(s.shape) does not match \(name) \(t.shape)")
    }
    let p = t.data
    for i in 0..<t.count { p[i] = s.values[i] }
  }
}

extension PPO {
  public func checkpoint() throws -> PPOCheckpoint {
    try worldModel?.settle()
    var c = PPOCheckpoint(kind: worldModel == nil ? "ppo" : "wmppo", config: config, wmConfig: worldModel?.config, seed: seed,
                  totalSteps: totalSteps, iteration: iteration, globalStep: globalStep,
                  params: snapshot(net.namedParameters()),
                  adam: AdamSnapshot(learningRate: optimizer.learningRate, state: optimizer.exportState()),
                  obsStats: obsStats, rewardScaler: rewardScaler, actionRNG: actionRNG, minibatchRNG: minibatchRNG,
                  worldModels: worldModel?.models.map {
                    WorldModelSnapshot(params: snapshot($0.namedParameters()),
                                       adam: AdamSnapshot(learningRate: $0.optimizer.learningRate,
                                                          state: $0.optimizer.exportState()))
                  },
                  wmRNG: worldModel?.rng, wmRecent: worldModel?.recent, history: history, envSpec: envSpec,
                  episodeLog: episodeLog)
    if let wm = worldModel, wm.overlapped, case .success(let loss) = wm.finished { c.wmJobLoss = loss }
    return c
  }

  /// Writes a checkpoint atomically, then re-seeds the environments (the resume boundary).
  public func save(path: String) throws {
    let enc = JSONEncoder()
    enc.outputFormatting = [.sortedKeys]
    enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    let data = try enc.encode(try checkpoint())
    do { try AtomicReplace.write(data, to: path) } catch { throw RLError.checkpoint("\(error)") }
    resetEnvironments()
  }

  /// Rebuilds an agent from a checkpoint; `makeEnv` must build the same environments as the saved run.
  public static func load(path: String, makeEnv: (Int) throws -> E) throws -> PPO<E> {
    try load(checkpoint: try PPOCheckpoint.read(path: path), makeEnv: makeEnv)
  }

  public static func load(checkpoint c: PPOCheckpoint, makeEnv: (Int) throws -> E) throws -> PPO<E> {
    let p = try PPO(config: c.config, seed: c.seed, totalSteps: c.totalSteps, makeEnv: makeEnv)
    if let wc = c.wmConfig {
      try p.attach(wc)
    }
    try p.restore(c)
    return p
  }

  func restore(_ c: PPOCheckpoint) throws {
    guard c.obsStats.mean.count == obsDim else {
      throw RLError.checkpoint("checkpoint observation size \(c.obsStats.mean.count) does not match the env's \(obsDim)")
    }
    try RL.restore(net.namedParameters(), from: c.params)
    try optimizer.importState(c.adam.state)
    optimizer.learningRate = c.adam.learningRate
    obsStats = c.obsStats
    rewardScaler = c.rewardScaler
    actionRNG = c.actionRNG
    minibatchRNG = c.minibatchRNG
    iteration = c.iteration
    globalStep = c.globalStep
    history = c.history
    envSpec = c.envSpec
    episodeLog = c.episodeLog ?? []
    if let wm = worldModel, let snaps = c.worldModels, let r = c.wmRNG {
      guard snaps.count == wm.models.count else { throw RLError.checkpoint("ensemble size mismatch") }
      for (m, s) in zip(wm.models, snaps) {
        try RL.restore(m.namedParameters(), from: s.params)
        try m.optimizer.importState(s.adam.state)
        m.optimizer.learningRate = s.adam.learningRate
      }
      wm.rng = r
      wm.recent = c.wmRecent ?? []
      wm.finished = .success(c.wmJobLoss ?? .nan)
    }
    resetEnvironments()
  }
}
