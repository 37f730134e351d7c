// Axis scales and "nice" ticks. Linear axes step by 1, 2 or 5 × 10^k and widen the domain to whole steps;
// large values get SI suffixes (k, M, G, T), tiny ones exponent labels. Log axes span whole decades,
// tick every decade (or every few when there are many), plus 2× and 5× ticks when the span is ≤ 2 decades.
import Foundation

public struct Scale: Equatable {
  public var lo: Double
  public var hi: Double
  public var log: Bool
  public var ticks: [Double]
  public var labels: [String]

  /// Position of `v` in the domain as a fraction 0…1 (values outside map outside; non-positive on log → nil).
  public func fraction(_ v: Double) -> Double? {
    guard v.isFinite else { return nil }
    if log {
      guard v > 0 else { return nil }
      return (log10(v) - log10(lo)) / (log10(hi) - log10(lo))
    }
    return (v - lo) / (hi - lo)
  }
}

public enum Ticks {
  /// 10^e as the nearest Double (exact decimal parse, so 10^-3 is the same Double as the literal 0.001).
  static func pow10(_ e: Int) -> Double { Double("1e\(e)")! }

  /// Nice linear scale covering [lo, hi] with about `target` intervals.
  public static func linear(_ lo: Double, _ hi: Double, target: Int = 5) -> Scale {
    var lo = lo, hi = hi
    if !(lo.isFinite && hi.isFinite) { lo = 0; hi = 1 }
    if lo > hi { swap(&lo, &hi) }
    if lo == hi {
      let d = lo == 0 ? 1 : Swift.abs(lo) * 0.1
      lo -= d; hi += d
    }
    let rough = (hi - lo) / Double(Swift.max(1, target))
    var e = Int(floor(log10(rough)))
    let residual = rough / pow10(e)
    var m: Int
    if residual < 1.5 { m = 1 } else if residual < 3 { m = 2 } else if residual < 7 { m = 5 } else { m = 1; e += 1 }
    // value of k steps, computed as an integer over an exact power of ten to avoid drift (0.1+0.2 …)
    func value(_ k: Int) -> Double {
      e >= 0 ? Double(k * m) * pow10(e) : Double(k * m) / pow10(-e)
    }
    let step = value(1)
    let kLo = Int(floor(lo / step + 1e-9)), kHi = Int(ceil(hi / step - 1e-9))
    let ticks = (kLo...kHi).map(value)
    let labels = linearLabels(ticks, stepExponent: e)
    return Scale(lo: ticks.first!, hi: ticks.last!, log: false, ticks: ticks, labels: labels)
  }

  static let siSuffix: [Int: String] = [3: "k", 6: "M", 9: "G", 12: "T"]

  /// Labels for ticks that are multiples of a step 10^stepExponent × {1, 2, 5}.
  static func linearLabels(_ ticks: [Double], stepExponent e: Int) -> [String] {
    let maxAbs = ticks.map { Swift.abs($0) }.max() ?? 0
    if maxAbs >= 1e4 && maxAbs < 1e15 {
      let p = 3 * Int(floor(log10(maxAbs) / 3))
      return ticks.map { $0 == 0 ? "0" : NumberFormat.fixed($0 / pow10(p), digits: Swift.max(0, p - e)) + siSuffix[p]! }
    }
    if maxAbs < 1e-3 || maxAbs >= 1e15 { return ticks.map { $0 == 0 ? "0" : exponentLabel($0) } }
    return ticks.map { NumberFormat.fixed($0, digits: Swift.max(0, -e)) }
  }

  /// Log scale over whole decades covering [lo, hi] (lo must be > 0).
  public static func log(_ lo: Double, _ hi: Double) -> Scale {
    var lo = lo, hi = hi
    if !(lo > 0 && lo.isFinite) { lo = hi > 0 && hi.isFinite ? hi / 10 : 1 }
    if !(hi > 0 && hi.isFinite) { hi = lo * 10 }
    if lo > hi { swap(&lo, &hi) }
    let dLo = Int(floor(log10(lo) + 1e-12))
    var dHi = Int(ceil(log10(hi) - 1e-12))
    if dHi <= dLo { dHi = dLo + 1 }
    let span = dHi - dLo
    var ticks: [Double] = []
    if span <= 2 {
      for d in dLo..<dHi { for m in [1, 2, 5] { ticks.append(Double("\(m)e\(d)")!) } }
      ticks.append(pow10(dHi))
    } else {
      let every = (span + 5) / 6
      var d = dLo
      while d <= dHi { ticks.append(pow10(d)); d += every }
      if ticks.last! < pow10(dHi) { dHi = d; ticks.append(pow10(dHi)) }  // end the domain on a tick
    }
    return Scale(lo: pow10(dLo), hi: pow10(dHi), log: true, ticks: ticks, labels: ticks.map(logLabel))
  }

  /// Label of a log tick: plain in [0.001, 10^4), SI suffix in [10^4, 10^15), exponent form otherwise.
  public static func logLabel(_ v: Double) -> String {
    if v >= 1e-3 && v < 1e4 { return NumberFormat.roundTrip(v) }
    if v >= 1e4 && v < 1e15 {
      let p = 3 * Int(floor(log10(v) / 3 + 1e-12))
      return NumberFormat.roundTrip((v / pow10(p) * 1000).rounded() / 1000) + siSuffix[p]!
    }
    return exponentLabel(v)
  }

  /// "2.5e-7": mantissa with at most 3 significant digits, plain exponent.
  static func exponentLabel(_ v: Double) -> String {
    guard v != 0, v.isFinite else { return NumberFormat.roundTrip(v) }
    var e = Int(floor(log10(Swift.abs(v))))
    var m = (v / pow10(e) * 100).rounded() / 100
    if Swift.abs(m) >= 10 { m /= 10; e += 1 }
    return NumberFormat.roundTrip(m) + "e\(e)"
  }
}
