import EnvKit
import XCTest
@testable import RL
import TensorCore

/// A deterministic toy with an arrival rule and a termination: a query is pending on even steps
/// (obs = [pending, t/10]); action 1 ("serve locally") is allowed only while a query is pending and earns 1;
/// the episode terminates after 5 steps. So a user with a query at t is idle at t+1.
struct ToyQueue: SnapshotEnvironment {
  var t = 0
  var done = true
  static let length = 5
  var pending: Bool { t % 2 == 0 }
  var observationSpace: BoxSpace { try! BoxSpace(count: 2, low: 0, high: 1) }
  var actionSpace: ActionSpace { .discrete(2) }
  var obs: [Float] { [pending ? 1 : 0, Float(t) / 10] }
  mutating func reset(seed: UInt64?) -> (obs: [Float], info: StepInfo) { t = 0; done = false; return (obs, StepInfo()) }
  mutating func step(_ action: [Int]) throws -> Step {
    guard !done else { throw EnvError.needsReset("toy") }
    try actionSpace.validate(action)
    guard action[0] == 0 || pending else { throw EnvError.invalidAction("masked") }
    let r: Float = action[0] == 1 ? 1 : 0
    t += 1
    done = t >= ToyQueue.length
    return Step(obs: obs, reward: r, terminated: done, truncated: false)
  }
  func actionMask() -> [Bool]? { [true, pending] }
  func clone() -> ToyQueue { self }
  mutating func reseedExogenous(_ seed: UInt64) {}
}

/// Rollout of `envs` ToyQueue copies for `steps` steps with uniformly random allowed actions (autoreset).
func toyRollout(envs n: Int, steps: Int, seed: UInt64) throws -> RolloutBuffer {
  var buf = RolloutBuffer(steps: steps, numEnvs: n, obsDim: 2, maskDim: 2, actionDim: 1, costDim: 0)
  var es = (0..<n).map { _ in ToyQueue() }
  var rng = RNG(seed: seed)
  for e in 0..<n { _ = es[e].reset(seed: nil); for _ in 0..<(e % ToyQueue.length) { _ = try es[e].step([0]) } }
  for t in 0..<steps {
    for e in 0..<n {
      let i = t * n + e
      let m = es[e].actionMask()!
      let a = m[1] && rng.uniform(0, 1) < 0.5 ? 1 : 0
      for j in 0..<2 { buf.rawObs[i * 2 + j] = es[e].obs[j]; buf.masks[i * 2 + j] = m[j] }
      buf.actions[i] = a
      let s = try es[e].step([a])
      for j in 0..<2 { buf.nextRawObs[i * 2 + j] = s.obs[j] }
      buf.rawRewards[i] = s.reward
      buf.terminated[i] = s.terminated
      if s.done { _ = es[e].reset(seed: nil) }
      let nm = es[e].actionMask()!
      for j in 0..<2 { buf.nextMasks[i * 2 + j] = nm[j] }
    }
  }
  return buf
}

final class ImaginationRespectsEnvTests: XCTestCase {
  /// A world model trained on the toy until its heads are accurate.
  func trainedToyModel() throws -> (WorldModel, RolloutBuffer) {
    var cfg = WorldModelConfig()
    cfg.hidden = 16; cfg.headHidden = 32; cfg.seqLen = 10; cfg.learningRate = 3e-3
    var rng = RNG(seed: 11)
    let m = WorldModel(obsDim: 2, nvec: [2], costDim: 0, maskDim: 2, config: cfg, rng: &rng)
    let buf = try toyRollout(envs: 10, steps: 40, seed: 3)
    for _ in 0..<300 { try m.train(on: buf) }
    return (m, buf)
  }

  /// Policy: serve whenever allowed; constant value 10 (so imagined steps past a termination would show).
  let servePolicy = ImaginationPolicy(
    act: { _, masks, b, _ in
      let a = (0..<b).map { masks![$0 * 2 + 1] ? 1 : 0 }
      return (a, [Float](repeating: 0, count: b))
    },
    value: { _, b in [Float](repeating: 10, count: b) })

  func testImaginedMasksFollowTheArrivalRule() throws {
    let (m, buf) = try trainedToyModel()
    let hs = try m.filter(buf).hPrev
    // Every row with a pending query, and every idle row: the next mask must flip (idle at t+1 / pending at t+1).
    for pendingNow in [true, false] {
      let rows = (0..<buf.count).filter { (buf.rawObs[$0 * 2] == 1) == pendingNow && !buf.terminated[$0] }.prefix(8)
      XCTAssertFalse(rows.isEmpty)
      var st = LearnedImagination.State(h: rows.flatMap { Array(hs[($0 * m.stateWidth)..<(($0 + 1) * m.stateWidth)]) },
                                        masks: rows.flatMap { Array(buf.masks[($0 * 2)..<($0 * 2 + 2)]) })
      let obs = rows.flatMap { Array(buf.rawObs[($0 * 2)..<($0 * 2 + 2)]) }
      let acts = rows.map { buf.actions[$0] }
      _ = try LearnedImagination(model: m).imagineStep(state: &st, obs: obs, actions: acts, batch: rows.count)
      for (k, r) in rows.enumerated() {
        XCTAssertEqual(Array(st.masks![(k * 2)..<(k * 2 + 2)]), Array(buf.nextMasks[(r * 2)..<(r * 2 + 2)]),
                       "row \(r): pending now \(pendingNow)")
        XCTAssertEqual(st.masks![k * 2 + 1], !pendingNow, "a user with a query at t is idle at t+1 and vice versa")
      }
    }
  }

  /// The frozen-mask failure the mask head replaces: with the branch mask reused, the imagined policy would
  /// "serve" at every step; with predicted masks it serves only on arrival steps, so the imagined return from
  /// the episode start equals the real one (3: steps 0, 2, 4) and stops at the termination (continue head):
  /// no γ^H·V(ŝ_H) = 10 is added although the horizon (8) runs past the episode's end (5 steps).
  func testContinueHeadImaginedReturnEqualsRealReturn() throws {
    let (m, buf) = try trainedToyModel()
    let hs = try m.filter(buf).hPrev
    let starts = (0..<buf.count).filter { buf.rawObs[$0 * 2 + 1] == 0 }.prefix(4)
    XCTAssertFalse(starts.isEmpty)
    var st = LearnedImagination.State(h: starts.flatMap { Array(hs[($0 * m.stateWidth)..<(($0 + 1) * m.stateWidth)]) },
                                      masks: starts.flatMap { _ in [true, true] })
    var none: RNG? = nil
    let im = try imagine(model: LearnedImagination(model: m), state: &st,
                         startObs: starts.flatMap { _ in [Float(1), 0] }, batch: starts.count, obsDim: 2, horizon: 8,
                         policy: servePolicy, rng: &none)
    // The real episode under the same policy.
    var env = ToyQueue()
    _ = env.reset(seed: nil)
    var real: Float = 0
    while true { let s = try env.step([env.pending ? 1 : 0]); real += s.reward; if s.done { break } }
    XCTAssertEqual(real, 3)
    let g = im.lambdaReturns(gamma: 1, lambda: 1)
    for b in 0..<starts.count {
      XCTAssertEqual(g[b], real, accuracy: 0.05, "branch \(b): imagined return")
      XCTAssertEqual(im.continues[4 * starts.count + b], 0, "terminated after the 5th step")
    }
  }

  /// Critic targets along an imagined trajectory against a hand computation: H = 3, two branches, γ = 0.5,
  /// λ = 0.5; branch 1 terminates at step 1.
  func testCriticTargetsInImaginationMatchHandTDLambda() {
    // Time-major [H × B]: rewards r, continues c, values V_0..V_3.
    let r: [Float] = [1, 2, 3, 4, 5, 6]
    let c: [Float] = [1, 1, 1, 0, 1, 0]
    let v: [Float] = [10, 20, 11, 21, 12, 0, 13, 0]
    let obs: [Float] = [0, 1, 2, 3, 4, 5]   // obsDim 1: ŝ_k for branch b is 2k + b
    let im = ImaginedRollout(horizon: 3, batch: 2, obsDim: 1, obs: obs, lastObs: [6, 7], masks: nil, actions: [0, 0, 0, 0, 0, 0],
                             logProbs: [0, 0, 0, 0, 0, 0], values: v, rewards: r, continues: c)
    // Branch 0: G_3 = 13; G_2 = 5 + .5·(.5·13 + .5·13) = 11.5; G_1 = 3 + .5·(.5·12 + .5·11.5) = 8.875.
    // Branch 1: G_1 = 4 + .5·0·(…) = 4; G_2 (after the termination) is not a target.
    let t = im.criticTargets(gamma: 0.5, lambda: 0.5)
    XCTAssertEqual(t.obs, [2, 3, 4])
    XCTAssertEqual(t.returns.count, 3)
    XCTAssertEqual(t.returns[0], 8.875, accuracy: 1e-6)
    XCTAssertEqual(t.returns[1], 4, accuracy: 1e-6)
    XCTAssertEqual(t.returns[2], 11.5, accuracy: 1e-6)
  }

  /// Critic-in-imagination rows reach the critic: a PPO update with value-only rows changes the critic and
  /// leaves the actor exactly as the same update without them. (Global grad-norm clipping would couple the two
  /// through the norm, so it is effectively off here.)
  func testCriticImaginationRowsTrainTheCriticOnly() throws {
    var cfg = cartPoleConfig(); cfg.numEnvs = 2; cfg.numSteps = 16; cfg.numMinibatches = 2; cfg.updateEpochs = 1
    cfg.maxGradNorm = 1e9
    func run(_ extra: Bool) throws -> ([Float], [Float]) {
      let p = try PPO(config: cfg, seed: 2, totalSteps: 1000) { i in CartPole(seed: UInt64(i)) }
      var s = TrainStats()
      let buf = try p.collectRollout(stats: &s)
      var b = try p.makeTrainBatch(buffer: buf)
      if extra { b.criticObs = [Float](repeating: 0.5, count: 8 * 4); b.criticReturns = [Float](repeating: 3, count: 8) }
      try p.update(batch: b, stats: &s)
      return (p.net.actor.parameters().flatMap { $0.toArray() }, p.net.critic.parameters().flatMap { $0.toArray() })
    }
    let (a0, c0) = try run(false), (a1, c1) = try run(true)
    XCTAssertNotEqual(c0, c1)
    XCTAssertEqual(a0.count, a1.count)
    // Adam normalises per parameter, so the actor's update is identical only if no gradient leaked into it.
    XCTAssertTrue(a0 == a1, "the value-only rows changed the actor")
  }

  /// Perfect-model WM-PPO on a deterministic toy (a one-action chain, so the imagined policy cannot act
  /// differently from the real one): imagination on env snapshots gives the λ-returns of the real rollout
  /// (skill 1, RMS 0). Normalisation off: it would rescale between the real steps and the imagination.
  func testPerfectModelTargetsEqualRealRolloutValues() throws {
    struct Chain: SnapshotEnvironment {
      var t = 0
      var observationSpace: BoxSpace { try! BoxSpace(count: 1, low: 0, high: 100) }
      var actionSpace: ActionSpace { .discrete(1) }
      var maxEpisodeSteps: Int? { 12 }
      mutating func reset(seed: UInt64?) -> (obs: [Float], info: StepInfo) { t = 0; return ([0], StepInfo()) }
      mutating func step(_ action: [Int]) throws -> Step {
        t += 1
        return Step(obs: [Float(t)], reward: Float(t % 3), terminated: false, truncated: t >= 12)
      }
      func clone() -> Chain { self }
      mutating func reseedExogenous(_ seed: UInt64) {}
    }
    var cfg = PPOConfig(); cfg.numEnvs = 2; cfg.numSteps = 32
    cfg.normalizeObservations = false; cfg.normalizeRewards = false
    var wm = WMPPOConfig()
    wm.simulator = true; wm.warmupIterations = 0; wm.betaMode = .fixed; wm.rollouts = false
    let p = try PPO.wmppo(config: cfg, wm: wm, seed: 1, totalSteps: 1000) { _ in Chain() }
    let s = try p.runIteration()
    XCTAssertEqual(s.imaginationOn, 1)
    XCTAssertEqual(s.mveRMSToReal, 0, accuracy: 1e-5)
    XCTAssertEqual(s.targetSkill, 1, accuracy: 1e-6)
    XCTAssertThrowsError(try PPO.wmppo(config: cfg, wm: wm, seed: 1, totalSteps: 1000) { _ in NoSnapshot() })
  }
}

/// An env that cannot be copied (the perfect-model ablation must refuse it).
struct NoSnapshot: Environment {
  var observationSpace: BoxSpace { try! BoxSpace(count: 1, low: 0, high: 1) }
  var actionSpace: ActionSpace { .discrete(2) }
  mutating func reset(seed: UInt64?) -> (obs: [Float], info: StepInfo) { ([0], StepInfo()) }
  mutating func step(_ action: [Int]) throws -> Step { Step(obs: [0], reward: 0, terminated: false, truncated: false) }
}
