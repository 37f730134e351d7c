import XCTest
@testable import RL

final class RewardScalerTests: XCTestCase {
  /// EMA return scaling against a hand computation: 2 envs, γ = 0.9, decay ½.
  func testEMAReturnScalerMatchesHandComputation() {
    var s = RewardScaler(numEnvs: 2, gamma: 0.9, clip: 10, decay: 0.5)
    XCTAssertEqual(s.variance, 1)  // nothing seen yet
    // Step 1: G = [1, 2]; m = ½·1.5, q = ½·2.5, w = ½ → mean 1.5, E[G²] 2.5, Var 0.25; r/σ = r/0.5.
    let a = s.scale(rewards: [1, 2], dones: [false, false])
    XCTAssertEqual(s.variance, 0.25, accuracy: 1e-12)
    XCTAssertEqual(a[0], 2, accuracy: 1e-5)
    XCTAssertEqual(a[1], 4, accuracy: 1e-5)
    // Step 2: G = [0.9, 2.8] (env 1 ends: its G restarts from 0); batch mean 1.85, mean of squares 4.325;
    // m = ½·0.75 + ½·1.85 = 1.3, q = ½·1.25 + ½·4.325 = 2.7875, w = 0.75.
    _ = s.scale(rewards: [0, 1], dones: [false, true])
    let mean2 = 1.3 / 0.75, var2 = 2.7875 / 0.75 - mean2 * mean2
    XCTAssertEqual(s.variance, var2, accuracy: 1e-6)
    XCTAssertEqual(s.returns[0], 0.9, accuracy: 1e-6)   // γ is a Float
    XCTAssertEqual(s.returns[1], 0)
    // Step 3: G = [1.81, 1].
    let c = s.scale(rewards: [1, 1], dones: [false, false])
    let m3 = 0.5 * 1.3 + 0.5 * (1.81 + 1) / 2, q3 = 0.5 * 2.7875 + 0.5 * (1.81 * 1.81 + 1) / 2, w3 = 0.875
    let var3 = q3 / w3 - (m3 / w3) * (m3 / w3)
    XCTAssertEqual(s.variance, var3, accuracy: 1e-6)
    XCTAssertEqual(Double(c[0]), 1 / (var3 + 1e-8).squareRoot(), accuracy: 1e-4)
  }

  /// The EMA forgets: after a burst of huge returns, a long stretch of small ones brings the scale back down,
  /// while the running (never-forgetting) estimator stays dominated by the burst.
  func testEMAForgetsWhereRunningDoesNot() {
    var ema = RewardScaler(numEnvs: 1, gamma: 0.9, clip: 1e9, decay: 0.99)
    var run = RewardScaler(numEnvs: 1, gamma: 0.9, clip: 1e9)
    for t in 0..<2000 {
      let r: Float = t < 200 ? (t % 2 == 0 ? -100 : 100) : (t % 2 == 0 ? -1 : 1)
      _ = ema.scale(rewards: [r], dones: [false]); _ = run.scale(rewards: [r], dones: [false])
    }
    XCTAssertLessThan(ema.variance.squareRoot(), 2)
    XCTAssertGreaterThan(run.variance.squareRoot(), 10)
  }

  func testRewardWindowSetsTheDecay() throws {
    var c = PPOConfig()
    c.numSteps = 100; c.rewardWindow = 10
    XCTAssertEqual(c.rewardDecay!, 0.999, accuracy: 1e-12)
    c.rewardNormalization = .running
    XCTAssertNil(c.rewardDecay)
    c.rewardWindow = 0
    XCTAssertThrowsError(try c.validate())
  }
}
