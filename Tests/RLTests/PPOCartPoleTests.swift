import EnvKit
import XCTest
@testable import RL
import TensorCore

/// The PPO settings the control-task test uses (CartPole with a 200-step limit, solved at a deterministic
/// evaluation mean ≥ 195 over 10 episodes).
func cartPoleConfig() -> PPOConfig {
  var c = PPOConfig()
  c.numEnvs = 8
  c.numSteps = 64
  c.learningRate = 1e-3
  c.numMinibatches = 4
  c.updateEpochs = 8
  c.gamma = 0.98
  c.gaeLambda = 0.9
  c.loss.entropyCoef = 0
  return c
}

final class PPOCartPoleTests: XCTestCase {
  func testCartPoleEnvPassesTheChecker() {
    var env = CartPole(seed: 1)
    let report = EnvChecker.check(&env)
    XCTAssertTrue(report.passed, report.description)
  }

  func testCartPoleDynamicsMatchHandStep() {
    // One Euler step from rest, pushing right: θ̈ = (0 − 1·temp)/(0.5·(4/3 − 0.1/1.1)), temp = 10/1.1.
    var d = CartPoleDynamics(state: [0, 0, 0, 0])
    _ = d.step(action: 1)
    let temp = 10.0 / 1.1
    let thetaAcc = -temp / (0.5 * (4.0 / 3.0 - 0.1 / 1.1))
    let xAcc = temp - 0.05 * thetaAcc / 1.1
    XCTAssertEqual(d.state[0], 0, accuracy: 1e-12)
    XCTAssertEqual(d.state[1], 0.02 * xAcc, accuracy: 1e-12)
    XCTAssertEqual(d.state[3], 0.02 * thetaAcc, accuracy: 1e-12)
  }

  /// Budget: 40k env steps per seed (solving typically takes 5–15k); training stops once solved.
  func testPPOSolvesCartPoleForThreeSeeds() throws {
    let budget = 40_000
    for seed: UInt64 in [1, 2, 3] {
      let ppo = try PPO(config: cartPoleConfig(), seed: seed, totalSteps: budget) { i in CartPole(seed: UInt64(i), maxSteps: 200) }
      var solvedAt: Int? = nil
      var evalEnv = CartPole(seed: 999, maxSteps: 200)
      while solvedAt == nil && ppo.globalStep < budget {
        let s = try ppo.runIteration()
        if s.iteration % 5 == 0 || ppo.globalStep >= budget {
          let r = try ppo.evaluate(env: &evalEnv, episodes: 10, seed: 1000)
          if r.meanReturn >= 195 { solvedAt = s.globalStep }
        }
      }
      XCTAssertNotNil(solvedAt, "seed \(seed) did not solve CartPole within \(budget) steps")
      print("PPO CartPole seed \(seed): solved at \(solvedAt.map(String.init) ?? "never") env steps")
    }
  }
}
