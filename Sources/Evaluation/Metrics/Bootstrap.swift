// Evaluation's view of the statistics module: means with percentile bootstrap intervals, paired differences,
// answer-flip rates. The resampling itself is `Stats.bootstrapCI` (Sources/Statistics); same seed ⇒ same interval.
import Statistics

/// A mean with its 95% (or `level`) bootstrap interval.
public struct Estimate: Sendable, Equatable, Codable {
  public var mean: Double
  public var lo: Double
  public var hi: Double
  public var n: Int
  public init(mean: Double, lo: Double, hi: Double, n: Int) { self.mean = mean; self.lo = lo; self.hi = hi; self.n = n }
}

public enum Bootstrap {
  /// Linear-interpolated quantile q ∈ [0,1] of sorted values (`Stats.quantile`).
  public static func quantile(sorted x: [Double], _ q: Double) -> Double { Stats.quantile(sorted: x, q) }

  /// Mean of `x` with a percentile bootstrap interval (`resamples` resamples of size n with replacement).
  public static func mean(_ x: [Double], resamples: Int = 1000, level: Double = 0.95, seed: UInt64,
                          stream: String = "bootstrap") -> Estimate {
    guard !x.isEmpty else { return Estimate(mean: .nan, lo: .nan, hi: .nan, n: 0) }
    let ci = Stats.bootstrapCI(x, resamples: max(resamples, 0), level: level, seed: seed, stream: stream)
    return Estimate(mean: ci.mean, lo: ci.low, hi: ci.high, n: ci.n)
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
