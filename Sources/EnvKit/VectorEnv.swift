// A synchronous vectorised environment with same-step autoreset (the SB3 / CleanRL-gym<1.0 convention):
// when sub-env i ends (terminated or truncated) during `step`, its final observation and final info are
// kept in `finalObservations[i]` / `finalInfos[i]` and the observation row i already holds the first
// observation of the next episode. Learners bootstrap truncated episodes from `finalObservations[i]`.
// Episode statistics (return, length) of episodes that ended in this step are in `episodes[i]`.
// All per-step outputs are flat buffers owned by the vector env (row-major [numEnvs][dim]); read them after
// `step` — they are overwritten by the next call.
import TensorCore

public final class VectorEnv<E: Environment> {
  public private(set) var envs: [E]
  public let numEnvs: Int
  public let obsDim: Int
  public let actionDim: Int
  public let maskDim: Int
  public let observationSpace: BoxSpace
  public let actionSpace: ActionSpace

  /// [numEnvs * obsDim] current observations (first obs of a new episode for envs that just ended).
  public private(set) var observations: [Float]
  /// [numEnvs] rewards of the last step.
  public private(set) var rewards: [Float]
  public private(set) var terminated: [Bool]
  public private(set) var truncated: [Bool]
  /// Per env: infos of the last step (for an env that just ended: the reset info of its new episode).
  public private(set) var infos: [StepInfo]
  /// Per env: the last observation of the episode that ended in this step, else nil.
  public private(set) var finalObservations: [[Float]?]
  /// Per env: the last info of the episode that ended in this step, else nil.
  public private(set) var finalInfos: [StepInfo?]
  /// Per env: statistics of the episode that ended in this step, else nil.
  public private(set) var episodes: [EpisodeStats?]
  /// [numEnvs * maskDim] current action masks (all true for envs without masks).
  public private(set) var masks: [Bool]
  /// Total env steps taken (sum over sub-envs) since creation.
  public private(set) var totalSteps: Int = 0

  private var runningReturn: [Double]
  private var runningLength: [Int]
  private var action: [Int]

  /// `make(i)` builds sub-env i. All sub-envs must share the observation and action spaces.
  public init(count: Int, make: (Int) throws -> E) throws {
    guard count >= 1 else { throw EnvError.invalidConfiguration("VectorEnv needs >= 1 env, got \(count)") }
    var es: [E] = []
    es.reserveCapacity(count)
    for i in 0..<count { es.append(try make(i)) }
    let os = es[0].observationSpace, acts = es[0].actionSpace
    for (i, e) in es.enumerated() where e.observationSpace != os || e.actionSpace != acts {
      throw EnvError.invalidConfiguration("sub-env \(i) has different spaces from sub-env 0")
    }
    envs = es
    numEnvs = count
    observationSpace = os
    actionSpace = acts
    obsDim = os.count
    actionDim = acts.count
    maskDim = acts.maskCount
    observations = [Float](repeating: 0, count: count * os.count)
    rewards = [Float](repeating: 0, count: count)
    terminated = [Bool](repeating: false, count: count)
    truncated = [Bool](repeating: false, count: count)
    infos = [StepInfo](repeating: StepInfo(), count: count)
    finalObservations = [[Float]?](repeating: nil, count: count)
    finalInfos = [StepInfo?](repeating: nil, count: count)
    episodes = [EpisodeStats?](repeating: nil, count: count)
    masks = [Bool](repeating: true, count: count * acts.maskCount)
    runningReturn = [Double](repeating: 0, count: count)
    runningLength = [Int](repeating: 0, count: count)
    action = [Int](repeating: 0, count: acts.count)
  }

  /// Resets every sub-env; sub-env i gets seed `seed + i` (Gymnasium's convention), or continues its own
  /// stream when `seed` is nil.
  public func reset(seed: UInt64? = nil) {
    for i in 0..<numEnvs {
      let (o, info) = envs[i].reset(seed: seed.map { $0 &+ UInt64(i) })
      write(obs: o, row: i)
      infos[i] = info
      runningReturn[i] = 0
      runningLength[i] = 0
      finalObservations[i] = nil
      finalInfos[i] = nil
      episodes[i] = nil
      terminated[i] = false
      truncated[i] = false
      rewards[i] = 0
      writeMask(i)
    }
  }

  /// Steps every sub-env with its row of `actions` (flat [numEnvs * actionDim]); autoresets ended envs.
  public func step(_ actions: [Int]) throws {
    guard actions.count == numEnvs * actionDim else {
      throw EnvError.invalidAction("vector action has \(actions.count) entries, expected \(numEnvs) x \(actionDim)")
    }
    for i in 0..<numEnvs {
      for d in 0..<actionDim { action[d] = actions[i * actionDim + d] }
      let s = try envs[i].step(action)
      rewards[i] = s.reward
      terminated[i] = s.terminated
      truncated[i] = s.truncated
      runningReturn[i] += Double(s.reward)
      runningLength[i] += 1
      totalSteps += 1
      if s.terminated || s.truncated {
        finalObservations[i] = s.obs
        finalInfos[i] = s.info
        episodes[i] = EpisodeStats(episodeReturn: runningReturn[i], length: runningLength[i])
        runningReturn[i] = 0
        runningLength[i] = 0
        let (o, info) = envs[i].reset(seed: nil)
        write(obs: o, row: i)
        infos[i] = info
      } else {
        if finalObservations[i] != nil { finalObservations[i] = nil }
        if finalInfos[i] != nil { finalInfos[i] = nil }
        if episodes[i] != nil { episodes[i] = nil }
        write(obs: s.obs, row: i)
        infos[i] = s.info
      }
      writeMask(i)
    }
  }

  /// Observation row i (a copy).
  public func observation(_ i: Int) -> [Float] { Array(observations[(i * obsDim)..<((i + 1) * obsDim)]) }

  /// Mutable access to a sub-env (e.g. to freeze a normalisation wrapper or read a detailed slot state).
  public func withEnv<R>(_ i: Int, _ body: (inout E) throws -> R) rethrows -> R { try body(&envs[i]) }

  @inline(__always)
  private func write(obs o: [Float], row i: Int) {
    precondition(o.count == obsDim, "sub-env \(i) returned \(o.count) observation values, expected \(obsDim)")
    observations.withUnsafeMutableBufferPointer { buf in
      for j in 0..<obsDim { buf[i * obsDim + j] = o[j] }
    }
  }

  @inline(__always)
  private func writeMask(_ i: Int) {
    if maskDim == 0 { return }
    if let m = envs[i].actionMask(), m.count == maskDim {
      for j in 0..<maskDim { masks[i * maskDim + j] = m[j] }
    } else {
      for j in 0..<maskDim { masks[i * maskDim + j] = true }
    }
  }
}
