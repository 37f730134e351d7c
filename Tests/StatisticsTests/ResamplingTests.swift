import XCTest
@testable import Statistics

final class ResamplingTests: XCTestCase {
  /// Exact two-sided permutation p-value by enumerating every split of the pooled sample (the reference).
  func exactPermutationP(_ a: [Double], _ b: [Double]) -> Double {
    let pooled = a + b, n = pooled.count, k = a.count
    let observed = abs(Stats.mean(a) - Stats.mean(b))
    var extreme = 0, total = 0
    for mask in 0..<(1 << n) where mask.nonzeroBitCount == k {
      var x: [Double] = [], y: [Double] = []
      for i in 0..<n { if mask & (1 << i) != 0 { x.append(pooled[i]) } else { y.append(pooled[i]) } }
      total += 1
      if abs(Stats.mean(x) - Stats.mean(y)) >= observed - 1e-12 { extreme += 1 }
    }
    return Double(extreme) / Double(total)
  }

  func testPermutationTestApproachesTheExactPValue() throws {
    let a: [Double] = [3.1, 4.2, 5.0, 4.8, 3.9], b: [Double] = [2.0, 2.5, 3.3, 1.9, 2.8]
    let exact = exactPermutationP(a, b)   // 252 splits
    let r = try Stats.permutationTest(a, b, permutations: 20_000, seed: 7)
    XCTAssertEqual(r.difference, Stats.mean(a) - Stats.mean(b), accuracy: 1e-12)
    XCTAssertEqual(r.p, exact, accuracy: 0.006, "Monte-Carlo p within ~3 SE of the exact enumeration")
    let same = try Stats.permutationTest([1, 2, 3], [1, 2, 3], permutations: 2000, seed: 1)
    XCTAssertEqual(same.p, 1, accuracy: 1e-12, "identical samples: every permutation is as extreme")
    XCTAssertEqual(try Stats.permutationTest(a, b, permutations: 500, seed: 3).p,
                   try Stats.permutationTest(a, b, permutations: 500, seed: 3).p, "same seed, same p")
    XCTAssertThrowsError(try Stats.permutationTest([], b, seed: 1))
  }

  /// A plain re-implementation: resample each stratum with the same stream, pool, take the IQM.
  func testStratifiedBootstrapMatchesAPlainRecount() throws {
    let strata: [[Double]] = [[1, 2, 3, 4, 5, 6, 7, 8], [10, 11, 9, 12], [0.5, 0.25, 0.75]]
    let ci = try Stats.stratifiedBootstrapCI(strata, resamples: 400, seed: 11)
    var rng = SplitMix64(seed: 11, stream: "stratified-bootstrap")
    var draws: [Double] = []
    for _ in 0..<400 {
      var pooled: [Double] = []
      for s in strata { for _ in s { pooled.append(s[rng.below(s.count)]) } }
      draws.append(Stats.iqm(pooled))
    }
    draws.sort()
    XCTAssertEqual(ci.mean, Stats.iqm(strata.flatMap { $0 }))
    XCTAssertEqual(ci.low, Stats.quantile(sorted: draws, 0.025))
    XCTAssertEqual(ci.high, Stats.quantile(sorted: draws, 0.975))
    XCTAssertLessThan(ci.low, ci.mean); XCTAssertGreaterThan(ci.high, ci.mean)
    XCTAssertThrowsError(try Stats.stratifiedBootstrapCI([[], []], seed: 1))
  }

  func testNamedStreamsDifferAndRepeat() {
    var a = SplitMix64(seed: 5, stream: "a"), a2 = SplitMix64(seed: 5, stream: "a"), b = SplitMix64(seed: 5, stream: "b")
    let xa = (0..<4).map { _ in a.next() }, xa2 = (0..<4).map { _ in a2.next() }, xb = (0..<4).map { _ in b.next() }
    XCTAssertEqual(xa, xa2); XCTAssertNotEqual(xa, xb)
  }

  func testIQMMatchesTrimMeanByHand() {
    // scipy.stats.trim_mean([1..8], 0.25) drops 2 from each end: mean(3,4,5,6) = 4.5
    XCTAssertEqual(Stats.iqm([8, 1, 7, 2, 6, 3, 5, 4]), 4.5)
  }

  /// A ratio statistic is undefined (NaN) on resamples whose denominator is 0: the interval must say so (both
  /// ends NaN) instead of reading quantiles off a sort scrambled by NaN (which gave low > high).
  func testIntervalIsUndefinedWhenSomeResampleIsUndefined() throws {
    let ratio: ([Double]) -> Double = { xs in 1 - Stats.iqm(Array(xs[2...])) / Stats.iqm(Array(xs[..<2])) }
    let ci = try Stats.stratifiedBootstrapCI([[0, 1024], [1024, 2048]], resamples: 200, seed: 3, statistic: ratio)
    XCTAssertTrue(ci.low.isNaN && ci.high.isNaN)
    let plain = Stats.bootstrapCI([0, 1, 2], resamples: 200, seed: 3) { xs in 1 / Stats.iqm(xs) - 1 / Stats.iqm(xs) }
    XCTAssertTrue(plain.low.isNaN && plain.high.isNaN)
    // Infinite draws are ordered and allowed.
    let inf = Stats.bootstrapCI([0, 1, 2], resamples: 200, seed: 3) { xs in 1 / Stats.iqm(xs) }
    XCTAssertFalse(inf.low.isNaN); XCTAssertLessThanOrEqual(inf.low, inf.high)
  }
}
