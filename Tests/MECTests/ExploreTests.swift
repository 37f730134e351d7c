import XCTest
@testable import MEC
import EnvKit

final class ExploreTests: XCTestCase {
  /// Prints the baselines' metrics across user counts (EDGELAB_MEC_EXPLORE=1 only).
  func testExplore() throws {
    guard ProcessInfo.processInfo.environment["EDGELAB_MEC_EXPLORE"] == "1" else { return }
    for n in [5, 10, 20, 50] {
      let env = try MECEnv("paper") { $0.users = n }
      if n == 5 {
        for u in env.layout.users { print(u.device.name, u.variants.map(\.card.name)) }
      }
      for k in MECBaselineKind.allCases where !(k == .oracle && n > 10) {
        var p = MECBaseline(k, seed: 1)
        let r = try MECEvaluator.evaluate(&p, env: env, episodes: 1, seeds: [1, 2])
        print(String(format: "N=%2d %-14@ lat %.1f p95 %.1f (tx %.2f q %.1f c %.1f) E %.2f W effacc %.3f hal %.3f miss %.2f off %.2f viol E %.2f A %.2f H %.2f ret %.1f  %.2fs",
                     n, k.rawValue, r.latencyMean, r.latencyP95, r.delayTransmit, r.delayQueue, r.delayCompute,
                     r.energyPerDeviceW, r.effectiveAccuracy, r.hallucination, r.deadlineMissRate, r.offloadFraction,
                     r.energyViolationRate, r.accuracyViolationRate, r.hallucinationViolationRate, r.meanReturn, r.seconds))
      }
    }
  }
}
