import XCTest
@testable import RL
import TensorCore

final class WMDiagnosticsTests: XCTestCase {
  /// Real-trajectory H-step λ-returns vs a hand computation, incl. rows cut by an episode end and rows
  /// without H steps ahead (nil).
  func testRealLambdaReturnsHandCase() {
    // T = 4, N = 2, H = 2, γ = 0.5, λ = 0.5. Env 0: no ends; env 1: truncated at t = 1.
    let r: [Float] = [1, 10, 2, 20, 3, 30, 4, 40]
    let v: [Float] = [0.5, 5, 1, 6, 2, 7, 4, 8]
    let term = [Bool](repeating: false, count: 8)
    var trunc = [Bool](repeating: false, count: 8)
    trunc[1 * 2 + 1] = true
    let g = realLambdaReturns(rewards: r, values: v, terminated: term, truncated: trunc, steps: 4, numEnvs: 2,
                              horizon: 2, gamma: 0.5, lambda: 0.5)
    // env 0, t = 0: G_2 = V_2 = 2; G_1 = r_1 + γ((1−λ)V_2 + λG_2) = 2 + 0.5·2 = 3;
    //                G_0 = r_0 + γ((1−λ)V_1 + λG_1) = 1 + 0.5·(0.5 + 1.5) = 2.
    XCTAssertEqual(g[0]!, 2, accuracy: 1e-6)
    // env 0, t = 1: G_2 = V_3 = 4; G_1 = 3 + 0.5·4 = 5; G_0 = 2 + 0.5·(0.5·2 + 0.5·5) = 3.75.
    XCTAssertEqual(g[2]!, 3.75, accuracy: 1e-6)
    XCTAssertNil(g[1])   // env 1, t = 0: episode ends at t = 1 inside the horizon
    XCTAssertNil(g[3])   // env 1, t = 1: ends at t = 1
    XCTAssertNil(g[4]); XCTAssertNil(g[5]); XCTAssertNil(g[6]); XCTAssertNil(g[7])  // fewer than H steps ahead
  }

  /// Skill = explained variance of imagined targets w.r.t. the real ones: 1 for a perfect predictor, 0 for the
  /// real mean, negative when worse than a constant; rows without a real target are ignored.
  func testTargetSkillHandCases() {
    let real: [Float?] = [1, 2, nil, 3, 4]
    XCTAssertEqual(targetSkill(imagined: [1, 2, 99, 3, 4], real: real), 1, accuracy: 1e-12)
    XCTAssertEqual(targetSkill(imagined: [2.5, 2.5, 0, 2.5, 2.5], real: real), 0, accuracy: 1e-12)
    // errors (1, −1, 1, −1): Σe² = 4; Σ(r − 2.5)² = 5 → 1 − 4/5 = 0.2
    XCTAssertEqual(targetSkill(imagined: [2, 1, 0, 4, 3], real: real), 0.2, accuracy: 1e-12)
    XCTAssertEqual(targetSkill(imagined: [4, 3, 0, 2, 1], real: real), 1 - 20.0 / 5, accuracy: 1e-12)
    XCTAssertEqual(targetSkill(imagined: [1], real: [nil]), 0)
  }

  func testTargetDiagnosticsHandCase() {
    let d = TargetDiagnostics(target: [1, 3], gae: [0, 2], real: [2, nil], imagined: [1, 3],
                              realRewards: [-1, -3], imaginedRewards: [0.5, 1.5])
    XCTAssertEqual(d.gapToGAE, 1, accuracy: 1e-12)
    XCTAssertEqual(d.returnStd, 1, accuracy: 1e-12)
    XCTAssertEqual(d.biasToReal, -1, accuracy: 1e-12)
    XCTAssertEqual(d.rmsToReal, 1, accuracy: 1e-12)
    XCTAssertEqual(d.realReward, -2, accuracy: 1e-12)
    XCTAssertEqual(d.imaginedReward, 1, accuracy: 1e-12)
  }

  /// Normalised loss weights: 1/(Var + eps), rescaled to mean 1; `uniform` clears them.
  func testWorldModelLossWeightsHandCase() {
    var cfg = WorldModelConfig()
    cfg.weightEps = 0.5
    var rng = RNG(seed: 1)
    let m = WorldModel(obsDim: 3, nvec: [2], costDim: 0, config: cfg, rng: &rng)
    m.setWeights(variance: [0.5, 1.5, 0])   // raw 1/(v+0.5) = 1, 0.5, 2 → mean 7/6
    let w = m.dimWeights!
    XCTAssertEqual(w[0], 6.0 / 7, accuracy: 1e-6)
    XCTAssertEqual(w[1], 3.0 / 7, accuracy: 1e-6)
    XCTAssertEqual(w[2], 12.0 / 7, accuracy: 1e-6)
    cfg.weighting = .uniform
    let u = WorldModel(obsDim: 3, nvec: [2], costDim: 0, config: cfg, rng: &rng)
    u.setWeights(variance: [0.5, 1.5, 0])
    XCTAssertNil(u.dimWeights)
  }

  /// Residual sampling adds exactly the drawn pool row to the symlog-space prediction (a one-row pool makes
  /// the draw deterministic); without a generator in the state the pool is ignored.
  func testResidualSamplingAddsThePoolResidual() throws {
    var rng = RNG(seed: 2)
    let m = WorldModel(obsDim: 3, nvec: [2], costDim: 0, config: WorldModelConfig(), rng: &rng)
    let obs: [Float] = [0.5, -2, 0, 1, 0, 3], res: [Float] = [0.1, -0.2, 0.05]
    let h = [Float](repeating: 0, count: 2 * m.config.hidden)
    var plainState = LearnedImagination.State(h: h, masks: nil)
    let plain = try LearnedImagination(model: m).imagineStep(state: &plainState, obs: obs, actions: [0, 1], batch: 2)
    var s = LearnedImagination.State(h: h, masks: nil, rng: RNG(seed: 9))
    let noisy = try LearnedImagination(model: m, residuals: res).imagineStep(state: &s, obs: obs, actions: [0, 1], batch: 2)
    for b in 0..<2 {
      for j in 0..<3 {
        XCTAssertEqual(symlog(noisy.nextObs[b * 3 + j]) - symlog(plain.nextObs[b * 3 + j]), res[j], accuracy: 1e-4)
      }
    }
    XCTAssertEqual(noisy.rewards, plain.rewards)
    var noRNG = LearnedImagination.State(h: h, masks: nil)
    let ignored = try LearnedImagination(model: m, residuals: res).imagineStep(state: &noRNG, obs: obs, actions: [0, 1], batch: 2)
    XCTAssertEqual(ignored.nextObs, plain.nextObs)
  }
}
