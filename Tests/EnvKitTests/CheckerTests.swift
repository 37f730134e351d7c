import XCTest
@testable import EnvKit
import TensorCore

final class CheckerTests: XCTestCase {
  func testCorrectToyEnvPasses() {
    var env = Corridor()
    let r = EnvChecker.check(&env, seed: 7, steps: 300)
    XCTAssertTrue(r.passed, r.description)
    XCTAssertGreaterThan(r.episodesChecked, 3)
  }

  /// Each deliberately broken variant is caught, with a message naming the broken rule.
  func testBrokenToyEnvsAreCaught() {
    let cases: [(Corridor.Flaw, String)] = [
      (.obsOutOfBounds, "outside"), (.nondeterministic, "determinism"), (.badMaskLength, "action mask has 2"),
      (.nanReward, "reward nan not finite"), (.acceptsInvalidAction, "was accepted"),
      (.noTruncation, "not ended at maxEpisodeSteps"), (.wrongInfoLength, "info has 2 metrics"),
      (.noNeedsReset, "did not throw needsReset"),
    ]
    for (flaw, needle) in cases {
      var env = Corridor(flaw: flaw, limit: flaw == .noTruncation ? 4 : 20)
      if flaw == .noTruncation { env.length = 1000 }
      let r = EnvChecker.check(&env, seed: 7, steps: 100)
      XCTAssertFalse(r.passed, "flaw \(flaw) not caught")
      XCTAssertTrue(r.problems.contains { $0.contains(needle) }, "flaw \(flaw): \(r.problems)")
    }
  }
}

final class PolicyTests: XCTestCase {
  func testRandomPolicyRespectsMaskAndSeedAndErasedEnvPassesChecker() throws {
    var p = RandomPolicy(actionSpace: .discrete(3), seed: 1)
    for _ in 0..<50 { XCTAssertNotEqual(try p.act(obs: [0, 0], mask: [false, true, true], env: nil), [0]) }
    p.reset(seed: 4)
    let a = try (0..<10).map { _ in try p.act(obs: [], mask: nil, env: nil) }
    p.reset(seed: 4)
    let b = try (0..<10).map { _ in try p.act(obs: [], mask: nil, env: nil) }
    XCTAssertEqual(a, b)
    var erased = AnyEnvironment(Corridor())
    XCTAssertTrue(EnvChecker.check(&erased).passed)
  }
}
