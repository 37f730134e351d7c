import Foundation
import XCTest
@testable import Statistics

final class StatsTests: XCTestCase {
  func testMeanStd() {
    XCTAssertEqual(Stats.mean([1, 2, 3, 4]), 2.5)
    XCTAssertEqual(Stats.std([2, 4, 4, 4, 5, 5, 7, 9]), (32.0 / 7).squareRoot(), accuracy: 1e-12)
    XCTAssertTrue(Stats.std([1]).isNaN)
  }

  func testIncompleteBetaAndTQuantiles() {
    // I_0.5(2,3) = (C(4,2)+C(4,3)+C(4,4))/2^4 = 11/16.
    XCTAssertEqual(Stats.regularizedBeta(0.5, a: 2, b: 3), 11.0 / 16, accuracy: 1e-12)
    // I_x(1,1) = x; I_x(a,1) = x^a.
    XCTAssertEqual(Stats.regularizedBeta(0.3, a: 1, b: 1), 0.3, accuracy: 1e-12)
    XCTAssertEqual(Stats.regularizedBeta(0.7, a: 3, b: 1), 0.343, accuracy: 1e-12)
    // Student t 0.975 quantiles from standard tables; df=1 is tan(0.475π) exactly.
    XCTAssertEqual(Stats.tQuantile(0.975, df: 1), tan(0.475 * Double.pi), accuracy: 1e-9)
    XCTAssertEqual(Stats.tQuantile(0.975, df: 2), 4.302652729911275, accuracy: 1e-9)  // closed form (2p−1)/sqrt(2p(1−p))
    XCTAssertEqual(Stats.tQuantile(0.975, df: 4), 2.7764451051977987, accuracy: 1e-9)
    XCTAssertEqual(Stats.tQuantile(0.975, df: 9), 2.2621571627409915, accuracy: 1e-9)
    XCTAssertEqual(Stats.tQuantile(0.975, df: 30), 2.0422724563012373, accuracy: 1e-9)
    XCTAssertEqual(Stats.tQuantile(0.975, df: 1e7), 1.959963984540054, accuracy: 1e-5)
    XCTAssertEqual(Stats.tQuantile(0.025, df: 4), -2.7764451051977987, accuracy: 1e-9)
  }

  func testTQuantileDf2ClosedForm() {
    // For df = 2, t_p = (2p − 1) / sqrt(2 p (1 − p)).
    for p in [0.6, 0.9, 0.975, 0.995] {
      XCTAssertEqual(Stats.tQuantile(p, df: 2), (2 * p - 1) / (2 * p * (1 - p)).squareRoot(), accuracy: 1e-10)
    }
  }

  func testCI95ByHand() {
    // x = 1..5: mean 3, s = sqrt(2.5), half-width = t(0.975, 4) · s / sqrt(5).
    let ci = Stats.ci95([1, 2, 3, 4, 5])
    let half = 2.7764451051977987 * 2.5.squareRoot() / 5.0.squareRoot()
    XCTAssertEqual(ci.mean, 3)
    XCTAssertEqual(ci.low, 3 - half, accuracy: 1e-9)
    XCTAssertEqual(ci.high, 3 + half, accuracy: 1e-9)
    XCTAssertEqual(half, 1.963243, accuracy: 1e-6)
    let one = Stats.ci95([7])
    XCTAssertEqual([one.low, one.mean, one.high], [7, 7, 7])
  }

  func testIQM() {
    XCTAssertEqual(Stats.iqm([1, 2, 3, 4, 5, 6, 7, 8]), 4.5)
    XCTAssertEqual(Stats.iqm([100, 1, 2, 3, 4, 5, 6, 7, -50]), 4)    // n=9: trim 2 each side → 2..6
    XCTAssertEqual(Stats.iqm([3, 1, 2]), 2)                          // n=3: trim 0
  }

  func testBootstrapDeterministicAndSane() {
    var rng = SplitMix64(seed: 7)
    let x = (0..<200).map { _ in Double(rng.below(1000)) / 100 }
    let a = Stats.bootstrapCI(x, seed: 1), b = Stats.bootstrapCI(x, seed: 1), c = Stats.bootstrapCI(x, seed: 2)
    XCTAssertEqual(a, b)
    XCTAssertNotEqual(a, c)
    // For a large sample the percentile bootstrap of the mean is close to the t interval.
    let t = Stats.ci95(x)
    XCTAssertEqual(a.low, t.low, accuracy: 0.12 * (t.high - t.low))
    XCTAssertEqual(a.high, t.high, accuracy: 0.12 * (t.high - t.low))
    XCTAssertTrue(a.low < a.mean && a.mean < a.high)
    // Constant sample: zero-width interval.
    let k = Stats.bootstrapCI([2, 2, 2, 2], seed: 3)
    XCTAssertEqual([k.low, k.high], [2, 2])
  }

  func testQuantileMatchesNumpyLinear() {
    // numpy.quantile([1,2,3,4], 0.25) = 1.75; 0.9 → 3.7
    XCTAssertEqual(Stats.quantile(sorted: [1, 2, 3, 4], 0.25), 1.75, accuracy: 1e-12)
    XCTAssertEqual(Stats.quantile(sorted: [1, 2, 3, 4], 0.9), 3.7, accuracy: 1e-12)
  }

  func testSplitMixBelowIsInRangeAndDeterministic() {
    var a = SplitMix64(seed: 5), b = SplitMix64(seed: 5)
    var counts = [Int](repeating: 0, count: 3)
    for _ in 0..<3000 { let v = a.below(3); XCTAssertEqual(v, b.below(3)); counts[v] += 1 }
    for c in counts { XCTAssertEqual(Double(c), 1000, accuracy: 120) }
    // Reference value of SplitMix64 (Vigna's splitmix64.c) for seed 0: first output.
    var z = SplitMix64(seed: 0)
    XCTAssertEqual(z.next(), 0xE220A8397B1DCDAF)
  }
}
