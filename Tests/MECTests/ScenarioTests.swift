import XCTest
@testable import MEC
import EnvKit

final class ScenarioTests: XCTestCase {
  func message(_ f: () throws -> Void) -> String {
    do { try f(); return "" } catch { return "\(error)" }
  }

  func testInvalidFieldsAreClearErrors() throws {
    XCTAssertTrue(message { _ = try MECEnv("paper") { $0.bandwidthHz = -1 } }.contains("bandwidthHz must be > 0 (got -1.0)"))
    XCTAssertTrue(message { _ = try MECEnv("paper") { $0.deviceNames = ["phone-99gb"] } }.contains("unknown device"))
    XCTAssertTrue(message { _ = try MECEnv("paper") { $0.edgeModel = "gpt-5" } }.contains("unknown model card 'gpt-5'"))
    XCTAssertTrue(message { _ = try MECEnv("paper") { $0.rho = 1.5 } }.contains("rho must be in [0, 1]"))
    XCTAssertTrue(message { _ = try MECEnv("nope") }.contains("unknown MEC scenario 'nope'"))
    XCTAssertTrue(message { _ = try MECEnv("nope") }.contains("(known: paper, paper-iid, paper-legacy)"))
    XCTAssertEqual(try MECScenario.builtInNames.map { try MECScenario.named($0).name }, MECScenario.builtInNames)
    XCTAssertTrue(message { _ = try MECEnv("paper") { $0.cardSet = .measured } }.contains("needs cardsPath"))
    XCTAssertTrue(message { _ = try MECEnv("paper") { $0.users = 0 } }.contains("users must be >= 1"))
    let env = try MECEnv("paper") { $0.users = 3 }
    _ = env.reset(seed: 1)
    XCTAssertTrue(message { _ = try env.step([0, 0]) }.contains("MEC action has 2 entries, expected one per user (3)"))
    XCTAssertTrue(message { _ = try env.step([0, 0, 7]) }.contains("action[2] = 7 outside 0..<4"))
    var oracle = MECBaseline(.lyapunovExhaustive)
    let big = try MECEnv("paper") { $0.users = 20 }
    let (o, _) = big.reset(seed: 1)
    XCTAssertTrue(message { _ = try oracle.act(obs: o, mask: big.actionMask(), env: big) }.contains("limited to 10 users"))
    XCTAssertTrue(message { _ = try MECBaseline(name: "smart") }.contains("unknown baseline 'smart'"))
  }

  /// Users whose device cannot host any variant may only offload; hosting follows accessibility.
  func testHostingFollowsAccessibilityAndMasks() throws {
    let env = try MECEnv("paper") { $0.users = 6; $0.deviceNames = ["phone-4gb", "phone-16gb"]; $0.arrivalRate = 1; $0.localVariants = 1 }
    _ = env.reset(seed: 2)
    let m = env.actionMask()!
    for u in 0..<6 {
      let d = env.layout.users[u].device.name
      XCTAssertEqual(env.layout.users[u].variants.isEmpty, d == "phone-4gb", d)
      XCTAssertEqual(m[u * 2 + 1], d != "phone-4gb")
    }
    if let u = (0..<6).first(where: { env.layout.users[$0].variants.isEmpty }) {
      var a = [Int](repeating: 0, count: 6); a[u] = 1
      XCTAssertThrowsError(try env.step(a))
    }
  }
}
