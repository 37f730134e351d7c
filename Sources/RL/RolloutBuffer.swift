// Storage for one on-policy rollout of T steps × N envs, time-major (row t*N + e). Holds what PPO needs
// (normalised observations, masks, actions, log-probs, values, rewards, episode ends, bootstrap values at
// truncation) and what the world model trains on (raw observations, the raw next observation — the true
// final observation at an episode end — raw rewards and constraint costs).
import TensorCore

public struct RolloutBuffer: Codable {
  public let steps: Int, numEnvs: Int, obsDim: Int, maskDim: Int, actionDim: Int, costDim: Int
  public var obs: [Float]
  public var rawObs: [Float]
  public var nextRawObs: [Float]
  public var masks: [Bool]
  public var actions: [Int]
  public var logProbs: [Float]
  public var values: [Float]
  /// Rewards as the learner sees them (scaled when reward normalisation is on).
  public var rewards: [Float]
  public var rawRewards: [Float]
  public var costs: [Float]
  public var terminated: [Bool]
  public var truncated: [Bool]
  /// V(final_obs) where truncated (else 0), in the learner's reward scale.
  public var finalValues: [Float]
  public var count: Int { steps * numEnvs }

  public init(steps: Int, numEnvs: Int, obsDim: Int, maskDim: Int, actionDim: Int, costDim: Int) {
    self.steps = steps; self.numEnvs = numEnvs; self.obsDim = obsDim
    self.maskDim = maskDim; self.actionDim = actionDim; self.costDim = costDim
    let n = steps * numEnvs
    obs = [Float](repeating: 0, count: n * obsDim)
    rawObs = obs
    nextRawObs = obs
    masks = [Bool](repeating: true, count: n * maskDim)
    actions = [Int](repeating: 0, count: n * actionDim)
    logProbs = [Float](repeating: 0, count: n)
    values = logProbs
    rewards = logProbs
    rawRewards = logProbs
    finalValues = logProbs
    costs = [Float](repeating: 0, count: n * costDim)
    terminated = [Bool](repeating: false, count: n)
    truncated = terminated
  }

  /// Copies `src` rows (src is [rows × width]) into `dst` starting at row `row`.
  @inline(__always)
  static func put<T>(_ dst: inout [T], _ src: [T], row: Int, width: Int) {
    guard width > 0 else { return }
    dst.withUnsafeMutableBufferPointer { d in
      src.withUnsafeBufferPointer { s in
        for k in 0..<s.count { d[row * width + k] = s[k] }
      }
    }
  }

  /// Gathers the rows `indices` of a [count × width] array.
  public static func gather<T>(_ a: [T], _ indices: ArraySlice<Int>, width: Int) -> [T] {
    var out: [T] = []
    out.reserveCapacity(indices.count * width)
    for i in indices { out.append(contentsOf: a[i * width..<(i + 1) * width]) }
    return out
  }
}
