// Seeded percentile bootstrap for means and paired differences, and answer-flip rates.
// Same seed ⇒ identical intervals. Quantiles interpolate linearly between order statistics (numpy default).
import TensorCore

/// A mean with its 95% (or `level`) bootstrap interval.
public struct Estimate: Sendable, Equatable, Codable {
  public var mean: Double
  public var lo: Double
  public var hi: Double
  public var n: Int
  public init(mean: Double, lo: Double, hi: Double, n: Int) { self.mean = mean; self.lo = lo; self.hi = hi; self.n = n }
}

public enum Bootstrap {
  /// Linear-interpolated quantile q ∈ [0,1] of sorted values.
  public static func quantile(sorted x: [Double], _ q: Double) -> Double {
    precondition(!x.isEmpty)
    let h = q * Double(x.count - 1)
    let i = Int(h.rounded(.down))
    if i + 1 >= x.count { return x[x.count - 1] }
    return x[i] + (h - Double(i)) * (x[i + 1] - x[i])
  }

  /// Mean of `x` with a percentile bootstrap interval (`resamples` resamples of size n with replacement).
  public static func mean(_ x: [Double], resamples: Int = 1000, level: Double = 0.95, seed: UInt64,
                          stream: String = "bootstrap") -> Estimate {
    let n = x.count
    guard n > 0 else { return Estimate(mean: .nan, lo: .nan, hi: .nan, n: 0) }
    let m = x.reduce(0, +) / Double(n)
    guard resamples > 0 else { return Estimate(mean: m, lo: m, hi: m, n: n) }
    var rng = RNG(seed: seed).split(stream)
    var stats = [Double](repeating: 0, count: resamples)
    for b in 0..<resamples {
      var s = 0.0
      for _ in 0..<n { s += x[rng.int(below: n)] }
      stats[b] = s / Double(n)
    }
    stats.sort()
    let a = (1 - level) / 2
    return Estimate(mean: m, lo: quantile(sorted: stats, a), hi: quantile(sorted: stats, 1 - a), n: n)
  }

  /// Mean of the paired difference a − b with a bootstrap interval (items resampled jointly).
  public static func pairedDifference(_ a: [Double], _ b: [Double], resamples: Int = 1000, level: Double = 0.95,
                                      seed: UInt64, stream: String = "paired") throws -> Estimate {
    guard a.count == b.count else {
      throw EvaluationError.invalidArgument("paired bootstrap needs equal lengths (got \(a.count) and \(b.count))")
    }
    return mean(zip(a, b).map { $0 - $1 }, resamples: resamples, level: level, seed: seed, stream: stream)
  }

  /// Fraction of items whose predicted answer differs between two runs (same items, same order).
  public static func flipRate(_ a: [Int], _ b: [Int]) throws -> Double {
    guard a.count == b.count, !a.isEmpty else {
      throw EvaluationError.invalidArgument("flip rate needs two equally long, non-empty prediction lists")
    }
    return Double(zip(a, b).filter { $0 != $1 }.count) / Double(a.count)
  }
}
