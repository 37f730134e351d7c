import XCTest
@testable import MEC

/// `MECDiagnostics.diagnose` flags a deliberately infeasible scenario and one without headroom, and passes
/// the tuned `paper` scenario (as measured by experiments/paper/tab_scenario.lua).
final class DiagnoseTests: XCTestCase {
  var quick: MECDiagnoseOptions {
    var o = MECDiagnoseOptions()
    o.seeds = [1]; o.episodes = 1
    return o
  }

  func testFlagsAnInfeasibleScenario() throws {
    var s = try MECScenario.named("paper")
    s.users = 5; s.horizon = 100
    s.energyBudgetsW = ["phone": 1e-6, "sbc": 1e-6, "embedded-gpu": 1e-6, "laptop": 1e-6]   // below any radio cost
    let d = try MECDiagnostics.diagnose(s, options: quick)
    XCTAssertFalse(d.passed)
    XCTAssertFalse(d.feasible)
    XCTAssertTrue(d.verdict.contains("infeasible: class"), d.verdict)
    XCTAssertTrue(d.classes.allSatisfy { !$0.feasible && $0.headroomW < 0 })
    // The minimum-energy policy spends no more than always-offload on any device (it is the reference).
    let minE = d.evaluations.first { $0.policy == "min-energy" }!, off = d.evaluations.first { $0.policy == "always-offload" }!
    for (a, b) in zip(minE.userEnergyW, off.userEnergyW) { XCTAssertLessThanOrEqual(a, b + 1e-12) }
  }

  func testFlagsAScenarioWithoutHeadroom() throws {
    // A fast 4×L4 edge, one local variant: offloading everything is (nearly) optimal at N = 5.
    var s = try MECScenario.named("paper")
    s.users = 5; s.horizon = 100; s.edgeDevice = "edge-gpu-l4"; s.edgeGPUs = 4; s.localVariants = 1
    let d = try MECDiagnostics.diagnose(s, options: quick)
    XCTAssertFalse(d.passed)
    XCTAssertTrue(d.feasible, d.verdict)
    XCTAssertLessThan(d.headroom, 0.15)
    XCTAssertTrue(d.verdict.contains("no headroom"), d.verdict)
  }

  func testPaperScenarioPasses() throws {
    var s = try MECScenario.named("paper")
    s.users = 10
    var o = MECDiagnoseOptions()
    o.seeds = [1, 2]; o.episodes = 1
    let d = try MECDiagnostics.diagnose(s, options: o)
    XCTAssertTrue(d.passed, d.verdict)
    XCTAssertGreaterThanOrEqual(d.headroom, 0.15)
    XCTAssertFalse(d.bindingHallucination.isEmpty)
    XCTAssertFalse(d.bindingAccuracy.isEmpty)
  }
}
