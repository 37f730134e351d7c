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
    // 0/0 whenever both strata resample to [0, 0] (1 in 16 draws; 200 draws hold one almost surely).
    let ratio: ([Double]) -> Double = { xs in Stats.iqm(Array(xs[2...])) / Stats.iqm(Array(xs[..<2])) }
    let ci = try Stats.stratifiedBootstrapCI([[0, 1024], [0, 2048]], resamples: 200, seed: 3, statistic: ratio)
    XCTAssertEqual(ci.mean, 2)
    XCTAssertTrue(ci.low.isNaN && ci.high.isNaN)
    // Undefined whenever a resample holds a 0 (almost every one of 200 here).
    let plain = Stats.bootstrapCI([0, 0, 2], resamples: 200, seed: 3) { xs in xs.contains(0) ? .nan : Stats.mean(xs) }
    XCTAssertTrue(plain.low.isNaN && plain.high.isNaN)
    // Infinite draws are ordered and allowed: 1/mean is +inf on the all-zero resamples (about 30% of them).
    let inf = Stats.bootstrapCI([0, 0, 2], resamples: 200, seed: 3) { xs in 1 / Stats.mean(xs) }
    XCTAssertEqual(inf.high, .infinity); XCTAssertTrue(inf.low.isFinite && inf.low >= 0.5 && inf.low <= 0.75, "\(inf.low)")
    XCTAssertEqual(Stats.quantile(sorted: [1, .infinity, .infinity], 0.9), .infinity)
    XCTAssertEqual(Stats.quantile(sorted: [-.infinity, 1, 2], 0.25), -.infinity)
  }

  /// Paired ratio of means: the point estimate by hand; a = c·b gives c at every draw; the interval agrees with the
  /// delta-method interval (an independent large-sample reference) on paired Bernoulli items; bad input throws.
  func testPairedRatioBootstrap() throws {
    let b: [Double] = [1, 0, 1, 1, 0, 1], a: [Double] = [1, 0, 0, 1, 0, 1]
    let ci = try Stats.pairedRatioBootstrapCI(a, b, resamples: 500, seed: 3)
    XCTAssertEqual(ci.mean, 3.0 / 4.0, accuracy: 1e-15)
    XCTAssertLessThanOrEqual(ci.low, ci.mean); XCTAssertGreaterThanOrEqual(ci.high, ci.mean)
    let scaled = try Stats.pairedRatioBootstrapCI(b.map { 2 * $0 }, b.map { $0 + 1 }.map { $0 - 1 }, resamples: 200, seed: 1)
    XCTAssertEqual(scaled.mean, 2); XCTAssertEqual(scaled.low, 2); XCTAssertEqual(scaled.high, 2)
    // Delta method: R = ā/b̄, se ≈ sd(a − R·b) / (b̄·√n).
    var rng = SplitMix64(seed: 42)
    var ra: [Double] = [], rb: [Double] = []
    for _ in 0..<3000 {
      let ref = rng.below(100) < 45 ? 1.0 : 0.0
      let flip = rng.below(100) < 12
      ra.append(flip ? 1 - ref : ref); rb.append(ref)
    }
    let r = try Stats.pairedRatioBootstrapCI(ra, rb, resamples: 4000, seed: 9)
    let R = Stats.mean(ra) / Stats.mean(rb)
    let se = Stats.std(zip(ra, rb).map { $0 - R * $1 }) / (Stats.mean(rb) * Double(ra.count).squareRoot())
    XCTAssertEqual(r.mean, R, accuracy: 1e-12)
    XCTAssertEqual(r.low, R - 1.96 * se, accuracy: 0.15 * 1.96 * se)
    XCTAssertEqual(r.high, R + 1.96 * se, accuracy: 0.15 * 1.96 * se)
    XCTAssertEqual(try Stats.pairedRatioBootstrapCI(ra, rb, resamples: 300, seed: 5).low,
                   try Stats.pairedRatioBootstrapCI(ra, rb, resamples: 300, seed: 5).low, "same seed, same interval")
    XCTAssertThrowsError(try Stats.pairedRatioBootstrapCI([1, 2], [1], seed: 1)) { e in
      XCTAssertEqual(e as? StatisticsError, .unpaired(2, 1))
    }
    XCTAssertThrowsError(try Stats.pairedRatioBootstrapCI([], [], seed: 1))
    let zero = try Stats.pairedRatioBootstrapCI([1, 0], [0, 0], resamples: 50, seed: 1)
    XCTAssertTrue(zero.mean.isNaN && zero.low.isNaN && zero.high.isNaN, "a zero reference mean has no ratio")
  }
}
