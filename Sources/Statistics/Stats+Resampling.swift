// Resampling inference for experiments with few runs per arm (Agarwal et al. 2021, "Deep RL at the Edge of the
// Statistical Precipice" — rliable):
//   stratified bootstrap  resample runs with replacement *within* each stratum (task / environment), keep the
//                         strata sizes, recompute the aggregate (e.g. IQM over all runs); percentile interval.
//   paired ratio          mean(a)/mean(b) over paired units (the same items scored by two models); the bootstrap
//                         resamples unit indices, so both means see the same draw (a relative change = ratio − 1).
//   permutation test      two-sided p-value of |stat(a) − stat(b)| under exchangeability of the pooled runs:
//                         p = (1 + #{perm : |Δ_perm| ≥ |Δ_obs|}) / (1 + permutations) (Phipson & Smyth 2010).
// Both draw from a seeded SplitMix64 stream: same inputs and seed ⇒ same answer.

public enum StatisticsError: Error, CustomStringConvertible, Equatable {
  case empty(String)
  case unpaired(Int, Int)
  public var description: String {
    switch self {
    case .empty(let what): return "\(what): no values (statistics of an empty sample are undefined)"
    case .unpaired(let a, let b): return "paired statistic: \(a) vs \(b) values (both must be measured on the same units)"
    }
  }
}

extension Stats {
  /// Percentile interval of `statistic` over the pooled runs, resampling within each stratum.
  /// `strata[k]` holds the runs of stratum k (e.g. the final returns of one env); the statistic sees the
  /// concatenation in stratum order.
  public static func stratifiedBootstrapCI(_ strata: [[Double]], resamples: Int = 2000, level: Double = 0.95,
                                           seed: UInt64, stream: String = "stratified-bootstrap",
                                           statistic: ([Double]) -> Double = Stats.iqm) throws -> ConfidenceInterval {
    let pooled = strata.flatMap { $0 }
    guard !pooled.isEmpty else { throw StatisticsError.empty("stratified bootstrap") }
    let point = statistic(pooled)
    guard resamples >= 1, strata.contains(where: { $0.count >= 2 }) else {
      return ConfidenceInterval(mean: point, low: point, high: point, n: pooled.count)
    }
    var rng = SplitMix64(seed: seed, stream: stream)
    var draws = [Double](); draws.reserveCapacity(resamples)
    var buffer = [Double](repeating: 0, count: pooled.count)
    for _ in 0..<resamples {
      var offset = 0
      for stratum in strata {
        for i in 0..<stratum.count { buffer[offset + i] = stratum[rng.below(stratum.count)] }
        offset += stratum.count
      }
      draws.append(statistic(buffer))
    }
    return percentileInterval(point: point, draws: draws, level: level, n: pooled.count)
  }

  /// Percentile interval of bootstrap draws. A draw that is NaN (the statistic is undefined on some resample,
  /// e.g. a ratio whose denominator can be 0) makes the interval undefined: both ends are NaN, never an
  /// interval read off a NaN-scrambled sort.
  static func percentileInterval(point: Double, draws: [Double], level: Double, n: Int) -> ConfidenceInterval {
    guard !draws.contains(where: \.isNaN) else { return ConfidenceInterval(mean: point, low: .nan, high: .nan, n: n) }
    let sorted = draws.sorted()
    let alpha = (1 - level) / 2
    return ConfidenceInterval(mean: point, low: quantile(sorted: sorted, alpha), high: quantile(sorted: sorted, 1 - alpha), n: n)
  }

  /// Percentile interval of mean(a) / mean(b) where a[i] and b[i] are measured on the same unit i (e.g. one item
  /// scored by a compressed model and by its reference): each draw resamples unit indices and recomputes both
  /// means on the same draw. A draw whose denominator is 0 is undefined, and so is the interval (NaN ends).
  public static func pairedRatioBootstrapCI(_ a: [Double], _ b: [Double], resamples: Int = 2000, level: Double = 0.95,
                                            seed: UInt64, stream: String = "paired-ratio") throws -> ConfidenceInterval {
    guard !a.isEmpty else { throw StatisticsError.empty("paired ratio") }
    guard a.count == b.count else { throw StatisticsError.unpaired(a.count, b.count) }
    let ratio = { (sa: Double, sb: Double) in sb == 0 ? Double.nan : sa / sb }
    let point = ratio(a.reduce(0, +), b.reduce(0, +))
    guard a.count >= 2, resamples >= 1 else { return ConfidenceInterval(mean: point, low: point, high: point, n: a.count) }
    var rng = SplitMix64(seed: seed, stream: stream)
    var draws = [Double](); draws.reserveCapacity(resamples)
    for _ in 0..<resamples {
      var sa = 0.0, sb = 0.0
      for _ in 0..<a.count { let i = rng.below(a.count); sa += a[i]; sb += b[i] }
      draws.append(ratio(sa, sb))
    }
    return percentileInterval(point: point, draws: draws, level: level, n: a.count)
  }

  /// Two-sided permutation test of stat(a) − stat(b); returns the observed difference and the p-value.
  public static func permutationTest(_ a: [Double], _ b: [Double], permutations: Int = 10_000, seed: UInt64,
                                     stream: String = "permutation",
                                     statistic: ([Double]) -> Double = Stats.mean) throws -> (difference: Double, p: Double) {
    guard !a.isEmpty, !b.isEmpty else { throw StatisticsError.empty("permutation test") }
    let observed = statistic(a) - statistic(b)
    var pooled = a + b
    var rng = SplitMix64(seed: seed, stream: stream)
    var extreme = 0
    for _ in 0..<max(permutations, 0) {
      // Fisher–Yates shuffle, then split at |a|.
      for i in stride(from: pooled.count - 1, to: 0, by: -1) { pooled.swapAt(i, rng.below(i + 1)) }
      let d = statistic(Array(pooled[..<a.count])) - statistic(Array(pooled[a.count...]))
      if Swift.abs(d) >= Swift.abs(observed) - 1e-12 * Swift.max(1, Swift.abs(observed)) { extreme += 1 }
    }
    return (observed, Double(1 + extreme) / Double(1 + max(permutations, 0)))
  }
}
