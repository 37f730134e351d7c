import XCTest
@testable import MEC
import EnvKit
import EdgeProfiles
import Foundation

final class ModesTests: XCTestCase {
  /// Lagrange mode: reward = −(P + λ·deviations) and multipliers follow λ ← max(0, λ + step·violation).
  func testLagrangeRewardAndDualAscent() throws {
    let env = try MECEnv("paper") { s in
      s.users = 6; s.arrivalRate = 0.4; s.constraintMode = .lagrange; s.lagrangeMultipliers = [0.5, 2, 1]
      s.lagrangeStep = 0.1
    }
    var p = MECBaseline(.random, seed: 3)
    var (obs, _) = env.reset(seed: 8)
    var moved = false
    for _ in 0..<40 {
      let lam = env.multipliers
      let a = try p.act(obs: obs, mask: env.actionMask(), env: env)
      let expect = env.previewOutcome(a)
      let st = try env.step(a)
      let o = env.lastOutcome
      XCTAssertEqual(expect.lagrangeObjective, o.lagrangeObjective, accuracy: 1e-12)
      let ref = o.penalty + lam[0] * o.energyDeviation + lam[1] * o.accuracyDeviation + lam[2] * o.hallucinationDeviation
      XCTAssertEqual(Double(st.reward), -ref, accuracy: 1e-4 * max(1, abs(ref)))
      let v = [o.energyDeviation / 6, o.accuracyDeviation, o.hallucinationDeviation]
      for j in 0..<3 { XCTAssertEqual(env.multipliers[j], max(0, lam[j] + 0.1 * v[j]), accuracy: 1e-12) }
      if env.multipliers != lam { moved = true }
      obs = st.obs
    }
    XCTAssertTrue(moved)
  }

  /// Reward in `none` mode is the latency penalty only; Lyapunov mode uses the drift-plus-penalty objective.
  func testRewardModes() throws {
    for mode in [ConstraintMode.none, .lyapunov] {
      let env = try MECEnv("paper") { $0.users = 5; $0.arrivalRate = 0.5; $0.constraintMode = mode }
      var (obs, _) = env.reset(seed: 2)
      var p = MECBaseline(.alwaysLocal)
      for _ in 0..<20 {
        let a = try p.act(obs: obs, mask: env.actionMask(), env: env)
        let st = try env.step(a)
        let o = env.lastOutcome
        let want = mode == .none ? -o.penalty : -o.lyapunovObjective
        XCTAssertEqual(Double(st.reward), want, accuracy: 1e-4 * max(1, abs(want)))
        obs = st.obs
      }
    }
  }

  /// A measured card set is read from a card JSON file; variants derive from the edge model's card.
  func testMeasuredCardSetFromJSON() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mec-cards-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let tasks = ["general_knowledge": TaskMetrics(accuracy: 0.5, hallucination: 0.3)]
    let base = ModelCard(name: "smollm2-135m-f32", source: .measured, params: 1.35e8, storageBytes: 5.4e8,
                         kvBytesPerToken: 2 * 30 * 3 * 64 * 2, tasks: tasks)
    var small = ModelCard(name: "smollm2-135m-q4_0", source: .measured, baseModel: "smollm2-135m-f32", params: 1.35e8,
                          storageBytes: 7.6e7, kvBytesPerToken: 2 * 30 * 3 * 64 * 2,
                          tasks: ["general_knowledge": TaskMetrics(accuracy: 0.45, hallucination: 0.35)])
    small.notes = ["test card"]
    let path = dir.appendingPathComponent("cards.json").path
    try ModelCard.save([base, small], path: path)
    let env = try MECEnv("paper") { s in
      s.cardSet = .measured; s.cardsPath = path; s.edgeModel = "smollm2-135m-f32"; s.users = 4
      s.deviceNames = ["phone-4gb", "rpi5-8gb"]
    }
    for u in env.layout.users {
      XCTAssertEqual(u.variants.map(\.card.name), ["smollm2-135m-q4_0"])
      // A card keyed by benchmark, not by class: every class uses the mean over its tasks.
      XCTAssertEqual(u.variants[0].accuracy, [0.45, 0.45, 0.45])
    }
    XCTAssertEqual(env.layout.edge.hallucination, [0.3, 0.3, 0.3])
    var e = env
    XCTAssertTrue(EnvChecker.check(&e, seed: 1, steps: 60).passed)
    XCTAssertThrowsError(try MECEnv("paper") { s in s.cardSet = .measured; s.cardsPath = dir.path + "/missing.json" }) { err in
      XCTAssertTrue("\(err)".contains("cannot read model card file"), "\(err)")
    }
  }

  /// The paper-scale cards' degradation rule is a scenario option: the measured rule changes the cards' quality
  /// (never their sizes; which variants a user hosts may change, since they are the most accurate ones), and a bad
  /// name is an error naming the option.
  func testPaperDegradationOption() throws {
    let assumed = try MECEnv("paper")
    let measured = try MECEnv("paper") { $0.paperDegradation = "measured" }
    XCTAssertEqual(assumed.layout.cards.map(\.name), measured.layout.cards.map(\.name))
    XCTAssertEqual(assumed.layout.cards.map(\.storageBytes), measured.layout.cards.map(\.storageBytes))
    let q2Assumed = try XCTUnwrap(assumed.layout.cards.first { $0.name == "llama-3.1-8b-q2_k" })
    let q2Measured = try XCTUnwrap(measured.layout.cards.first { $0.name == "llama-3.1-8b-q2_k" })
    XCTAssertNotEqual(q2Assumed.tasks, q2Measured.tasks)
    XCTAssertThrowsError(try MECEnv("paper") { $0.paperDegradation = "typo" }) { err in
      XCTAssertTrue("\(err)".contains("paperDegradation") && "\(err)".contains("'typo'"), "\(err)")
    }
  }
}
