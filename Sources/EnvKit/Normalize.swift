// Running statistics and the observation / reward normalisation wrappers, as in SB3 (`RunningMeanStd`,
// `VecNormalize`) and Gymnasium (`NormalizeObservation`, `NormalizeReward`) used by CleanRL's PPO:
// - RunningMeanStd: mean 0, var 1, count 1e-4 initially; batches merged with Chan et al.'s parallel update.
// - NormalizeObservation: obs' = clip((obs - mean) / sqrt(var + eps), ±clip), stats updated on every
//   reset/step observation while `training` is true (freeze it for evaluation).
// - NormalizeReward: keeps the discounted return G = γ·G + r (reset to 0 at episode end), tracks its variance,
//   and returns r' = clip(r / sqrt(var_G + eps), ±clip). Rewards are scaled, not centred.
import TensorCore

public struct RunningMeanStd: Codable, Equatable, Sendable {
  public var mean: [Double]
  public var variance: [Double]
  public var count: Double

  public init(dimension: Int, epsilon: Double = 1e-4) {
    mean = [Double](repeating: 0, count: dimension)
    variance = [Double](repeating: 1, count: dimension)
    count = epsilon
  }

  /// Merge one sample.
  public mutating func update(_ x: [Float]) {
    precondition(x.count == mean.count, "RunningMeanStd: sample has \(x.count) values, expected \(mean.count)")
    let n = count + 1
    for i in 0..<mean.count {
      let delta = Double(x[i]) - mean[i]
      let m = mean[i] + delta / n
      let m2 = variance[i] * count + delta * delta * count / n
      mean[i] = m
      variance[i] = m2 / n
    }
    count = n
  }

  /// Merge a batch given by its mean, (population) variance and size.
  public mutating func update(batchMean: [Double], batchVariance: [Double], batchCount: Double) {
    precondition(batchMean.count == mean.count && batchVariance.count == mean.count)
    guard batchCount > 0 else { return }
    let tot = count + batchCount
    for i in 0..<mean.count {
      let delta = batchMean[i] - mean[i]
      let m2 = variance[i] * count + batchVariance[i] * batchCount + delta * delta * count * batchCount / tot
      mean[i] += delta * batchCount / tot
      variance[i] = m2 / tot
    }
    count = tot
  }

  /// Merge a row-major batch [rows][dimension].
  public mutating func update(batch: [Float], rows: Int) {
    let d = mean.count
    precondition(batch.count == rows * d)
    guard rows > 0 else { return }
    var bm = [Double](repeating: 0, count: d), bv = [Double](repeating: 0, count: d)
    for r in 0..<rows { for i in 0..<d { bm[i] += Double(batch[r * d + i]) } }
    for i in 0..<d { bm[i] /= Double(rows) }
    for r in 0..<rows { for i in 0..<d { let e = Double(batch[r * d + i]) - bm[i]; bv[i] += e * e } }
    for i in 0..<d { bv[i] /= Double(rows) }
    update(batchMean: bm, batchVariance: bv, batchCount: Double(rows))
  }

  /// clip((x - mean) / sqrt(var + eps), ±clip), in place.
  public func normalize(_ x: inout [Float], epsilon: Double = 1e-8, clip: Double = 10) {
    for i in 0..<mean.count {
      let z = (Double(x[i]) - mean[i]) / (variance[i] + epsilon).squareRoot()
      x[i] = Float(min(max(z, -clip), clip))
    }
  }
}

/// Observation normalisation wrapper (stats per wrapped env; see the file comment).
public struct NormalizeObservation<E: Environment>: Environment {
  public var env: E
  public var stats: RunningMeanStd
  public var training = true
  public let epsilon: Double
  public let clip: Double
  public let observationSpace: BoxSpace

  public init(_ env: E, epsilon: Double = 1e-8, clip: Double = 10) throws {
    self.env = env
    self.epsilon = epsilon
    self.clip = clip
    stats = RunningMeanStd(dimension: env.observationSpace.count)
    observationSpace = try BoxSpace(count: env.observationSpace.count, low: Float(-clip), high: Float(clip))
  }

  public var actionSpace: ActionSpace { env.actionSpace }
  public var infoKeys: [String] { env.infoKeys }
  public var costKeys: [String] { env.costKeys }
  public var maxEpisodeSteps: Int? { env.maxEpisodeSteps }
  public func actionMask() -> [Bool]? { env.actionMask() }

  public mutating func reset(seed: UInt64?) -> (obs: [Float], info: StepInfo) {
    var (o, info) = env.reset(seed: seed)
    if training { stats.update(o) }
    stats.normalize(&o, epsilon: epsilon, clip: clip)
    return (o, info)
  }

  public mutating func step(_ action: [Int]) throws -> Step {
    var s = try env.step(action)
    if training { stats.update(s.obs) }
    stats.normalize(&s.obs, epsilon: epsilon, clip: clip)
    return s
  }
}

/// Reward scaling wrapper (see the file comment).
public struct NormalizeReward<E: Environment>: Environment {
  public var env: E
  public var stats = RunningMeanStd(dimension: 1)
  public var training = true
  public let gamma: Double
  public let epsilon: Double
  public let clip: Double
  /// The running discounted return G.
  public private(set) var discountedReturn: Double = 0

  public init(_ env: E, gamma: Double = 0.99, epsilon: Double = 1e-8, clip: Double = 10) {
    self.env = env
    self.gamma = gamma
    self.epsilon = epsilon
    self.clip = clip
  }

  public var observationSpace: BoxSpace { env.observationSpace }
  public var actionSpace: ActionSpace { env.actionSpace }
  public var infoKeys: [String] { env.infoKeys }
  public var costKeys: [String] { env.costKeys }
  public var maxEpisodeSteps: Int? { env.maxEpisodeSteps }
  public func actionMask() -> [Bool]? { env.actionMask() }

  public mutating func reset(seed: UInt64?) -> (obs: [Float], info: StepInfo) {
    discountedReturn = 0
    return env.reset(seed: seed)
  }

  public mutating func step(_ action: [Int]) throws -> Step {
    var s = try env.step(action)
    discountedReturn = discountedReturn * gamma + Double(s.reward)
    if training { stats.update([Float(discountedReturn)]) }
    let scaled = Double(s.reward) / (stats.variance[0] + epsilon).squareRoot()
    s.reward = Float(min(max(scaled, -clip), clip))
    if s.done { discountedReturn = 0 }
    return s
  }
}
