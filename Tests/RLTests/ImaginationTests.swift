import EnvKit
import XCTest
@testable import RL
import TensorCore

final class ImaginationTests: XCTestCase {
  /// With the true simulator as the model, imagined rollouts must reproduce the real trajectory: same
  /// observations and actions bit for bit, and H-step λ-returns equal to those computed from real rewards
  /// and values — including branches that terminate inside the horizon.
  func testImaginedReturnsEqualRealReturnsWithTheTrueSimulator() throws {
    var cfg = cartPoleConfig()
    cfg.numEnvs = 2; cfg.numSteps = 32
    let ppo = try PPO(config: cfg, seed: 4, totalSteps: 10_000) { i in CartPole(seed: UInt64(i)) }
    try ppo.train(steps: 64 * 3)  // a few updates so values and normalisation are non-trivial
    let policy = ppo.imaginationPolicy()
    // Real deterministic trajectory with state copies.
    var env = CartPole(seed: 77)
    var (obs, _) = env.reset(seed: 77)
    var copies: [CartPole] = [], obsSeq: [[Float]] = [], actSeq: [Int] = [], rew: [Float] = [], term: [Bool] = []
    var none: RNG? = nil
    while true {
      copies.append(env); obsSeq.append(obs)
      let a = try policy.act(policy.prepare(obs), nil, 1, &none).actions[0]
      let s = try env.step([a])
      actSeq.append(a); rew.append(policy.scaleReward(s.reward)); term.append(s.terminated)
      obs = s.obs
      if s.done { break }
    }
    let T = rew.count
    XCTAssertTrue(term.last!, "the untrained-ish policy should drop the pole within 200 steps (T=\(T))")
    let values = try obsSeq.map { try policy.value(policy.prepare($0), 1)[0] } + [0]
    let H = 5, gamma: Float = 0.97, lambda: Float = 0.8
    let starts = [0, 1, T / 2, T - 3, T - 1]
    var state = starts.map { copies[$0] }
    var rng: RNG? = nil
    let im = try imagine(model: SimulatorModel<CartPole>(), state: &state, startObs: starts.flatMap { obsSeq[$0] },
                         batch: starts.count, obsDim: 4, horizon: H, policy: policy, rng: &rng)
    let lam = im.lambdaReturns(gamma: gamma, lambda: lambda)
    let mve = im.lambdaReturns(gamma: gamma, lambda: 1)
    for (b, t0) in starts.enumerated() {
      // Real λ-return from t0 over H steps, stopping at termination.
      var g = t0 + H < T ? values[t0 + H] : 0
      var gm = g
      for k in stride(from: H - 1, through: 0, by: -1) {
        let t = t0 + k
        guard t < T else { continue }
        let c: Float = term[t] ? 0 : 1
        let vNext = t + 1 < T ? values[t + 1] : 0
        g = rew[t] + gamma * c * ((1 - lambda) * vNext + lambda * g)
        gm = rew[t] + gamma * c * gm
      }
      XCTAssertEqual(lam[b], g, accuracy: 1e-5, "λ-return from t0=\(t0)")
      XCTAssertEqual(mve[b], gm, accuracy: 1e-5, "MVE return from t0=\(t0)")
      for k in 0..<H where t0 + k < T {
        XCTAssertEqual(Array(im.obs[((k * starts.count + b) * 4)..<((k * starts.count + b + 1) * 4)]), obsSeq[t0 + k])
        XCTAssertEqual(im.actions[k * starts.count + b], actSeq[t0 + k])
        XCTAssertEqual(im.rewards[k * starts.count + b], rew[t0 + k])
      }
    }
    // The branch starting at the last step terminates after one step: nothing after it counts.
    XCTAssertEqual(im.continues[starts.count * 0 + 4], 0)
    XCTAssertEqual(im.rewards[starts.count * 1 + 4], 0)
  }

  func testImaginationRejectsBadShapes() {
    var state: [CartPole] = [CartPole(seed: 1)]
    var rng: RNG? = nil
    let p = ImaginationPolicy(act: { _, _, b, _ in ([Int](repeating: 0, count: b), [Float](repeating: 0, count: b)) },
                              value: { _, b in [Float](repeating: 0, count: b) })
    XCTAssertThrowsError(try imagine(model: SimulatorModel<CartPole>(), state: &state, startObs: [0, 0, 0],
                                     batch: 1, obsDim: 4, horizon: 2, policy: p, rng: &rng))
    XCTAssertThrowsError(try imagine(model: SimulatorModel<CartPole>(), state: &state, startObs: [0, 0, 0, 0],
                                     batch: 1, obsDim: 4, horizon: 0, policy: p, rng: &rng))
  }
}

final class SteveTests: XCTestCase {
  /// Two models, horizon 2, γ = 0.5. Candidates T_h = Σ_{k<h} γ^k r_k + γ^h V_h:
  ///   A: r = [1, 2], V = [0, 3, 4] → T1 = 2.5, T2 = 3;   B: r = [1, 1], V = [0, 5, 8] → T1 = 3.5, T2 = 3.5.
  ///   h=1: mean 3, var 0.25 → w 4;  h=2: mean 3.25, var 0.0625 → w 16;  target = (4·3 + 16·3.25)/20 = 3.2.
  func testSteveWeightsHorizonsByInverseEnsembleVariance() throws {
    func r(_ rew: [Float], _ v: [Float]) -> ImaginedRollout {
      ImaginedRollout(horizon: 2, batch: 1, obsDim: 1, obs: [0, 0], lastObs: [0], masks: nil, actions: [0, 0],
                      logProbs: [0, 0], values: v, rewards: rew, continues: [1, 1])
    }
    let ext = try WMExtension(config: { var c = WMPPOConfig(); c.ensemble = 2; c.steve = true; return c }(),
                              obsDim: 1, nvec: [2], costDim: 0, seed: 1)
    let t = ext.steveTargets([r([1, 2], [0, 3, 4]), r([1, 1], [0, 5, 8])], gamma: 0.5)
    XCTAssertEqual(t[0], 3.2, accuracy: 1e-4)
    // Mean λ-return over the ensemble (λ = 1 → MVE): (3 + 3.5)/2.
    let m = ext.averageLambdaReturn([r([1, 2], [0, 3, 4]), r([1, 1], [0, 5, 8])], gamma: 0.5, lambda: 1)
    XCTAssertEqual(m[0], 3.25, accuracy: 1e-6)
  }
}
