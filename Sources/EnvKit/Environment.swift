// The environment contract (Gymnasium conventions, https://gymnasium.farama.org/api/env/):
//   reset(seed:) -> (obs, info)      step(action) -> Step(obs, reward, terminated, truncated, info)
// - `terminated`: the MDP reached a terminal state (no bootstrapping); `truncated`: the episode was cut
//   (time limit) and the value of `obs` must be bootstrapped by the learner.
// - `reset(seed: s)` reseeds every stochastic stream of the env: same seed + same actions => the identical
//   trajectory, bit for bit. `reset(seed: nil)` continues from the env's current generator state.
// - `step` after an episode ended (and before `reset`) throws `EnvError.needsReset`; an action that is not in
//   `actionSpace` (wrong length, out of range) throws `EnvError.invalidAction`.
// - `info` is a cheap struct: flat `[Double]` arrays aligned with the env's `infoKeys` / `costKeys`; a
//   dictionary view is built only when asked (`info.dictionary(env)`), never in the hot path.
import TensorCore

public enum EnvError: Error, CustomStringConvertible, Equatable {
  case invalidAction(String)
  case invalidSpace(String)
  case invalidConfiguration(String)
  case needsReset(String)

  public var description: String {
    switch self {
    case .invalidAction(let m): return "invalid action: \(m)"
    case .invalidSpace(let m): return "invalid space: \(m)"
    case .invalidConfiguration(let m): return "invalid configuration: \(m)"
    case .needsReset(let m): return "environment needs reset: \(m)"
    }
  }
}

/// Per-step side information. `metrics[i]` is named `env.infoKeys[i]`; `costs[j]` is named `env.costKeys[j]`
/// (non-negative per-step constraint costs, e.g. for constrained RL or a world model's cost head).
public struct StepInfo: Equatable, Sendable {
  public var metrics: [Double]
  public var costs: [Double]

  public init(metrics: [Double] = [], costs: [Double] = []) {
    self.metrics = metrics
    self.costs = costs
  }

  /// Dictionary view (allocates; for logging and scripting, not for the hot path).
  public func dictionary(keys: [String], costKeys: [String] = []) -> [String: Double] {
    var d: [String: Double] = [:]
    for (k, v) in zip(keys, metrics) { d[k] = v }
    for (k, v) in zip(costKeys, costs) { d["cost." + k] = v }
    return d
  }
}

/// The result of one `step`.
public struct Step: Sendable {
  public var obs: [Float]
  public var reward: Float
  public var terminated: Bool
  public var truncated: Bool
  public var info: StepInfo

  public init(obs: [Float], reward: Float, terminated: Bool, truncated: Bool, info: StepInfo = StepInfo()) {
    self.obs = obs
    self.reward = reward
    self.terminated = terminated
    self.truncated = truncated
    self.info = info
  }
  public var done: Bool { terminated || truncated }
}

/// A single (non-vectorised) environment. Value or reference type; mutation goes through `reset`/`step`.
public protocol Environment {
  var observationSpace: BoxSpace { get }
  var actionSpace: ActionSpace { get }
  /// Names of `StepInfo.metrics` (fixed for the env's lifetime). Default: none.
  var infoKeys: [String] { get }
  /// Names of `StepInfo.costs`. Default: none.
  var costKeys: [String] { get }
  /// Episode length at which the env truncates, if it has one.
  var maxEpisodeSteps: Int? { get }

  mutating func reset(seed: UInt64?) -> (obs: [Float], info: StepInfo)
  mutating func step(_ action: [Int]) throws -> Step
  /// Flat mask of length `actionSpace.maskCount` for the *current* state (after the last reset/step),
  /// `true` = allowed; nil means every action is allowed.
  func actionMask() -> [Bool]?
}

public extension Environment {
  var infoKeys: [String] { [] }
  var costKeys: [String] { [] }
  var maxEpisodeSteps: Int? { nil }
  func actionMask() -> [Bool]? { nil }
  mutating func reset() -> (obs: [Float], info: StepInfo) { reset(seed: nil) }
  /// Dictionary view of an info produced by this env.
  func dictionary(_ info: StepInfo) -> [String: Double] { info.dictionary(keys: infoKeys, costKeys: costKeys) }
}

/// Per-episode statistics (Gymnasium's RecordEpisodeStatistics): undiscounted return and length.
public struct EpisodeStats: Equatable, Codable, Sendable {
  public var episodeReturn: Double
  public var length: Int
  public init(episodeReturn: Double, length: Int) {
    self.episodeReturn = episodeReturn
    self.length = length
  }
}
