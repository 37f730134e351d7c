import EnvKit
import XCTest
@testable import RL
import TensorCore

/// A deterministic chain with a time limit: obs = [t], reward t mod 3, truncated (never terminated) at t = 12.
struct TruncatingChain: SnapshotEnvironment {
  var t = 0
  var observationSpace: BoxSpace { try! BoxSpace(count: 1, low: 0, high: 100) }
  var actionSpace: ActionSpace { .discrete(1) }
  var maxEpisodeSteps: Int? { 12 }
  mutating func reset(seed: UInt64?) -> (obs: [Float], info: StepInfo) { t = 0; return ([0], StepInfo()) }
  mutating func step(_ action: [Int]) throws -> Step {
    t += 1
    return Step(obs: [Float(t)], reward: Float(t % 3), terminated: false, truncated: t >= 12)
  }
  func clone() -> TruncatingChain { self }
  mutating func reseedExogenous(_ seed: UInt64) {}
}

/// The fixes of docs/decisions/0202: imagination stops (and bootstraps) at a time limit, rows after an episode
/// end never enter the PPO batch, the real H-step λ-return is defined up to an episode end, and the
/// `correction` target form leaves PPO's critic targets unchanged under a perfect model.
final class PerfectModelCannotHurtTests: XCTestCase {
  /// V(s) = s, one action, no reward scaling.
  let identityValue = ImaginationPolicy(
    act: { _, _, b, _ in ([Int](repeating: 0, count: b), [Float](repeating: 0, count: b)) },
    value: { obs, _ in obs })

  /// From t = 10 the chain truncates after 2 steps. With H = 4, γ = ½, λ = 1 the imagined return is
  /// r(11) + γ·(r(12) + γ·V(final obs 12)) = 2 + ½·(0 + ½·12) = 5, and nothing of the next episode leaks in
  /// (before the fix the copy was reset and stepped on: + γ²·(1 + ½·2 + …)).
  func testImaginationBootstrapsAtTruncationAndStops() throws {
    var env = TruncatingChain()
    _ = env.reset(seed: nil)
    for _ in 0..<10 { _ = try env.step([0]) }
    var state = [env]
    var none: RNG? = nil
    let im = try imagine(model: SimulatorModel<TruncatingChain>(), state: &state, startObs: [10], batch: 1, obsDim: 1,
                         horizon: 4, policy: identityValue, rng: &none)
    XCTAssertEqual(im.rewards, [2, 0, 0, 0])
    XCTAssertEqual(im.continues, [1, 1, 0, 0])
    XCTAssertEqual(im.ends, [0, 1, 0, 0])
    XCTAssertEqual(im.values, [10, 11, 12, 0, 0], "V(final obs) is kept for the bootstrap, later values are 0")
    XCTAssertEqual(im.lambdaReturns(gamma: 0.5, lambda: 1)[0], 5, accuracy: 1e-6)
    // λ = ½: G_1 = 0 + ½·12 = 6 (stopped: no λ-carry past the end); G_0 = 2 + ½·(½·11 + ½·6) = 6.25.
    XCTAssertEqual(im.lambdaReturns(gamma: 0.5, lambda: 0.5)[0], 6.25, accuracy: 1e-6)
    // GAE over the segment: δ_0 = 2 + ½·11 − 10 = −2.5, δ_1 = 0 + ½·12 − 11 = −5; A_0 = −2.5 + ½·1·(−5) = −5.
    let g = try im.gae(gamma: 0.5, lambda: 1)
    XCTAssertEqual(g.advantages[0], -5, accuracy: 1e-6)
    XCTAssertEqual(g.advantages[1], -5, accuracy: 1e-6)
    XCTAssertEqual(g.returns[0], 5, accuracy: 1e-6)
    XCTAssertEqual((0..<4).map { im.isLive($0) }, [true, true, false, false])
  }

  /// Live rows by hand: H = 3, B = 2; branch 0 terminates at step 1, branch 1 is truncated at step 0.
  func testLiveRowsExcludeEverythingAfterAnEpisodeEnd() {
    let im = ImaginedRollout(horizon: 3, batch: 2, obsDim: 1, obs: [0, 0, 0, 0, 0, 0], lastObs: [0, 0], masks: nil,
                             actions: [0, 0, 0, 0, 0, 0], logProbs: [0, 0, 0, 0, 0, 0], values: [0, 0, 0, 0, 0, 0, 0, 0],
                             rewards: [0, 0, 0, 0, 0, 0], continues: [1, 1, 0, 0, 0, 0], ends: [0, 1, 0, 0, 0, 0])
    XCTAssertEqual((0..<6).map { im.isLive($0) }, [true, true, true, false, false, false])
  }

  /// The real H-step λ-return up to an episode end, by hand: one env, T = 4, H = 2, γ = λ = ½;
  /// terminated at t = 1, truncated at t = 2 with V(final obs) = 100.
  func testRealLambdaReturnsStopAtEpisodeEnds() {
    let r: [Float] = [1, 2, 3, 4], v: [Float] = [10, 20, 30, 40]
    let term = [false, true, false, false], trunc = [false, false, true, false]
    let fv: [Float] = [0, 0, 100, 0]
    let g = realLambdaReturns(rewards: r, values: v, terminated: term, truncated: trunc, finalValues: fv,
                              steps: 4, numEnvs: 1, horizon: 2, gamma: 0.5, lambda: 0.5)
    // t = 0: G_1 = r_1 = 2 (terminated); G_0 = 1 + ½·(½·20 + ½·2) = 6.5. t = 1: 2. t = 2: 3 + ½·100 = 53.
    // t = 3: the window leaves the rollout.
    XCTAssertEqual(g[0]!, 6.5, accuracy: 1e-6)
    XCTAssertEqual(g[1]!, 2, accuracy: 1e-6)
    XCTAssertEqual(g[2]!, 53, accuracy: 1e-6)
    XCTAssertNil(g[3])
    let old = realLambdaReturns(rewards: r, values: v, terminated: term, truncated: trunc,
                                steps: 4, numEnvs: 1, horizon: 2, gamma: 0.5, lambda: 0.5)
    XCTAssertTrue(old.allSatisfy { $0 == nil }, "without final values a window with an end stays undefined")
  }

  /// Under a perfect deterministic model the `correction` target form leaves every critic target exactly
  /// PPO's (imagined and real H-step λ-returns coincide, windows across the time limit included), while
  /// `blend` moves them towards the H-step return.
  func testCorrectionKeepsPPOTargetsUnderAPerfectModel() throws {
    var cfg = PPOConfig(); cfg.numEnvs = 2; cfg.numSteps = 32
    cfg.normalizeObservations = false; cfg.normalizeRewards = false
    func targets(_ form: WMPPOConfig.TargetForm) throws -> (ppo: [Float], wm: [Float], skill: Double) {
      var wm = WMPPOConfig()
      wm.simulator = true; wm.warmupIterations = 0; wm.betaMode = .fixed; wm.mveBeta = 0.5; wm.rollouts = false
      wm.targetForm = form
      let p = try PPO.wmppo(config: cfg, wm: wm, seed: 1, totalSteps: 1000) { _ in TruncatingChain() }
      p.iteration = 1
      var s = TrainStats()
      let buf = try p.collectRollout(stats: &s)
      var b = try p.makeTrainBatch(buffer: buf)
      let before = b.returns
      try p.worldModel!.augment(ppo: p, buffer: buf, batch: &b, stats: &s)
      return (before, b.returns, s.targetSkill)
    }
    let c = try targets(.correction)
    XCTAssertEqual(c.skill, 1, accuracy: 1e-6)
    for (a, b) in zip(c.ppo, c.wm) { XCTAssertEqual(a, b, accuracy: 1e-4) }
    let bl = try targets(.blend)
    XCTAssertEqual(bl.ppo, c.ppo, "same seed, same rollout")
    let moved = zip(bl.ppo, bl.wm).filter { abs($0 - $1) > 1e-3 }.count
    XCTAssertGreaterThan(moved, bl.ppo.count / 2, "the blend replaces half of each long return by an H-step one")
  }
}
