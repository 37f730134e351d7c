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
  /// Masks of the next state (after an episode end: the next episode's first mask).
  public var nextMasks: [Bool]
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
    nextMasks = masks
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

extension RolloutBuffer {
  /// Stacks buffers of the same shape side by side as one buffer with the envs of all of them
  /// (buffer k's env e becomes env k·N + e) — lets the world model train on several rollouts in one batch.
  public static func stacked(_ bs: [RolloutBuffer]) throws -> RolloutBuffer {
    guard let f = bs.first else { throw RLError.shape("stacked: no buffers") }
    if bs.count == 1 { return f }
    for b in bs where b.steps != f.steps || b.numEnvs != f.numEnvs || b.obsDim != f.obsDim || b.costDim != f.costDim
      || b.actionDim != f.actionDim || b.maskDim != f.maskDim {
      throw RLError.shape("stacked: buffers differ in shape")
    }
    let n = f.numEnvs, k = bs.count
    var out = RolloutBuffer(steps: f.steps, numEnvs: n * k, obsDim: f.obsDim, maskDim: f.maskDim,
                            actionDim: f.actionDim, costDim: f.costDim)
    func merge<T>(_ dst: inout [T], _ src: KeyPath<RolloutBuffer, [T]>, _ w: Int) {
      guard w > 0 else { return }
      for t in 0..<f.steps {
        for (j, b) in bs.enumerated() {
          let a = b[keyPath: src]
          for e in 0..<n {
            let from = (t * n + e) * w, to = (t * n * k + j * n + e) * w
            for q in 0..<w { dst[to + q] = a[from + q] }
          }
        }
      }
    }
    merge(&out.obs, \.obs, f.obsDim); merge(&out.rawObs, \.rawObs, f.obsDim); merge(&out.nextRawObs, \.nextRawObs, f.obsDim)
    merge(&out.masks, \.masks, f.maskDim); merge(&out.nextMasks, \.nextMasks, f.maskDim); merge(&out.actions, \.actions, f.actionDim)
    merge(&out.logProbs, \.logProbs, 1); merge(&out.values, \.values, 1); merge(&out.rewards, \.rewards, 1)
    merge(&out.rawRewards, \.rawRewards, 1); merge(&out.costs, \.costs, f.costDim)
    merge(&out.terminated, \.terminated, 1); merge(&out.truncated, \.truncated, 1); merge(&out.finalValues, \.finalValues, 1)
    return out
  }
}
