// The one statistics module of EdgeLab (used by Lab, Evaluation, MEC, RL and exposed to Lua as edgelab.stats):
// mean, sample std, Student-t 95% CI, quantile (numpy "linear"), IQM (rliable's trimmed mean), seeded percentile
// bootstrap, stratified bootstrap and permutation test (Stats+Resampling.swift).
// It depends on nothing, so its seeded stream is a local SplitMix64 (Steele, Lea & Flood 2014).
import Foundation

public struct SplitMix64: RandomNumberGenerator {
  public var state: UInt64
  public init(seed: UInt64) { state = seed }
  /// A named sub-stream: seeded by the seed and an FNV-1a hash of the name, so streams never overlap by
  /// accident and adding draws to one never shifts another.
  public init(seed: UInt64, stream: String) {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in stream.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
    var mix = SplitMix64(seed: seed ^ h)
    state = mix.next()
  }
  public mutating func next() -> UInt64 {
    state &+= 0x9E3779B97F4A7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
    z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
    return z ^ (z >> 31)
  }
  /// Uniform integer in 0..<n (Lemire's multiply-shift with rejection; unbiased).
  public mutating func below(_ n: Int) -> Int {
    precondition(n > 0)
    let bound = UInt64(n)
    let threshold = (0 &- bound) % bound
    while true {
      let r = next()
      let m = r.multipliedFullWidth(by: bound)
      if m.low >= threshold { return Int(m.high) }
    }
  }
}

public struct ConfidenceInterval: Equatable, Sendable {
  public var mean: Double
  public var low: Double
  public var high: Double
  public var n: Int
  public init(mean: Double, low: Double, high: Double, n: Int) {
    self.mean = mean; self.low = low; self.high = high; self.n = n
  }
}

public enum Stats {
  public static func mean(_ x: [Double]) -> Double {
    guard !x.isEmpty else { return .nan }
    var s = 0.0
    for v in x { s += v }
    return s / Double(x.count)
  }

  /// Sample standard deviation (n − 1 denominator); NaN for fewer than 2 values.
  public static func std(_ x: [Double]) -> Double {
    guard x.count >= 2 else { return .nan }
    let m = mean(x)
    var s = 0.0
    for v in x { s += (v - m) * (v - m) }
    return (s / Double(x.count - 1)).squareRoot()
  }

  /// Two-sided 95% CI of the mean with the Student-t quantile for n − 1 degrees of freedom.
  /// n = 1 gives a zero-width interval at the value (no spread can be estimated); n = 0 gives NaNs.
  public static func ci95(_ x: [Double]) -> ConfidenceInterval {
    let m = mean(x)
    guard x.count >= 2 else { return ConfidenceInterval(mean: m, low: m, high: m, n: x.count) }
    let half = tQuantile(0.975, df: Double(x.count - 1)) * std(x) / Double(x.count).squareRoot()
    return ConfidenceInterval(mean: m, low: m - half, high: m + half, n: x.count)
  }

  /// Interquartile mean: mean of the values left after removing floor(n/4) from each end of the sorted
  /// sample (scipy.stats.trim_mean(x, 0.25), as used by rliable).
  public static func iqm(_ x: [Double]) -> Double {
    guard !x.isEmpty else { return .nan }
    let s = x.sorted()
    let cut = s.count / 4
    return mean(Array(s[cut..<(s.count - cut)]))
  }

  /// Percentile bootstrap CI (level 0.95 by default) of `statistic` with `resamples` draws from a SplitMix64
  /// stream seeded by `seed`. Same inputs and seed ⇒ same interval.
  public static func bootstrapCI(_ x: [Double], resamples: Int = 2000, level: Double = 0.95, seed: UInt64,
                                 stream: String? = nil,
                                 statistic: ([Double]) -> Double = Stats.mean) -> ConfidenceInterval {
    let point = statistic(x)
    guard x.count >= 2, resamples >= 1 else {
      return ConfidenceInterval(mean: point, low: point, high: point, n: x.count)
    }
    var rng = stream.map { SplitMix64(seed: seed, stream: $0) } ?? SplitMix64(seed: seed)
    var stats = [Double](); stats.reserveCapacity(resamples)
    var buf = [Double](repeating: 0, count: x.count)
    for _ in 0..<resamples {
      for i in 0..<x.count { buf[i] = x[rng.below(x.count)] }
      stats.append(statistic(buf))
    }
    return percentileInterval(point: point, draws: stats, level: level, n: x.count)
  }

  /// Linear-interpolated quantile of a sorted sample (numpy's default "linear" method).
  public static func quantile(sorted s: [Double], _ q: Double) -> Double {
    guard !s.isEmpty else { return .nan }
    let pos = q * Double(s.count - 1)
    let lo = Int(pos.rounded(.down)), hi = Swift.min(lo + 1, s.count - 1)
    let f = pos - Double(lo)
    return s[lo] + (s[hi] - s[lo]) * f
  }

  /// Quantile of Student's t distribution with `df` degrees of freedom, by bisection on the CDF
  /// (CDF through the regularized incomplete beta function).
  public static func tQuantile(_ p: Double, df: Double) -> Double {
    precondition(p > 0 && p < 1 && df > 0)
    if p == 0.5 { return 0 }
    if p < 0.5 { return -tQuantile(1 - p, df: df) }
    var lo = 0.0, hi = 1.0
    while tCDF(hi, df: df) < p { hi *= 2 }
    for _ in 0..<200 {
      let mid = 0.5 * (lo + hi)
      if tCDF(mid, df: df) < p { lo = mid } else { hi = mid }
      if hi - lo < 1e-13 * Swift.max(1, hi) { break }
    }
    return 0.5 * (lo + hi)
  }

  /// CDF of Student's t: for t ≥ 0, 1 − ½ I_{df/(df+t²)}(df/2, ½).
  public static func tCDF(_ t: Double, df: Double) -> Double {
    let x = df / (df + t * t)
    let tail = 0.5 * regularizedBeta(x, a: df / 2, b: 0.5)
    return t >= 0 ? 1 - tail : tail
  }

  /// Regularized incomplete beta I_x(a, b) by Lentz's continued fraction.
  public static func regularizedBeta(_ x: Double, a: Double, b: Double) -> Double {
    if x <= 0 { return 0 }
    if x >= 1 { return 1 }
    let lg: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
    let lnFront: Double = lg + a * log(x) + b * log(1 - x)
    if x > (a + 1) / (a + b + 2) { return 1 - regularizedBeta(1 - x, a: b, b: a) }
    let tiny = 1e-300
    var c = 1.0, d = 1 - (a + b) * x / (a + 1)
    if Swift.abs(d) < tiny { d = tiny }
    d = 1 / d
    var f = d
    for m in 1...500 {
      let md = Double(m)
      var num = md * (b - md) * x / ((a + 2 * md - 1) * (a + 2 * md))
      d = 1 + num * d; if Swift.abs(d) < tiny { d = tiny }
      c = 1 + num / c; if Swift.abs(c) < tiny { c = tiny }
      d = 1 / d; f *= d * c
      num = -(a + md) * (a + b + md) * x / ((a + 2 * md) * (a + 2 * md + 1))
      d = 1 + num * d; if Swift.abs(d) < tiny { d = tiny }
      c = 1 + num / c; if Swift.abs(c) < tiny { c = tiny }
      d = 1 / d
      let delta = d * c
      f *= delta
      if Swift.abs(delta - 1) < 1e-15 { break }
    }
    return exp(lnFront) * f / a
  }
}
