// Round-trip number formatting shared by the JSON, CSV and JSONL writers.
//
// Rule: the shortest decimal string that parses back (Double(s)) to exactly the same Double. Integral values
// print without ".0" ("3", "-0" keeps the sign of negative zero); exponents are written without "+" and
// leading zeros ("1e20", "2.5e-5"). Non-finite values have no JSON form: the JSON writers write `null`,
// the CSV writer writes "nan", "inf", "-inf" (all parsed back by Swift, numpy and pandas).
import Foundation

public enum NumberFormat {
  /// Shortest round-trip text of a finite Double (see the rule above). Non-finite: "nan", "inf", "-inf".
  public static func roundTrip(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x < 0 ? "-inf" : "inf" }
    // Swift's description is the shortest round-trip representation (SwiftDtoa); normalise its spelling.
    var s = x.description
    if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
      var mant = String(s[s.startIndex..<e])
      var exp = String(s[s.index(after: e)...])
      if mant.hasSuffix(".0") { mant.removeLast(2) }
      var neg = false
      if exp.hasPrefix("+") { exp.removeFirst() } else if exp.hasPrefix("-") { neg = true; exp.removeFirst() }
      while exp.count > 1 && exp.hasPrefix("0") { exp.removeFirst() }
      s = mant + "e" + (neg ? "-" : "") + exp
    } else if s.hasSuffix(".0") {
      s.removeLast(2)
    }
    return s
  }

  /// Text for people (report tables): integral values as integers; others with `significant` significant
  /// digits (trailing zeros dropped), in exponent form below 1e-3 or from 1e6 on ("2.5e-5", "1.23e7").
  public static func display(_ x: Double, significant: Int = 4) -> String {
    guard x.isFinite else { return roundTrip(x) }
    let mag = Swift.abs(x)
    if x == x.rounded() && mag < 1e15 { return fixed(x, digits: 0) }
    if mag < 1e-3 || mag >= 1e6 {
      let e = Int(Foundation.floor(Foundation.log10(mag)))
      var m = x / Foundation.pow(10, Double(e)), ee = e
      if Swift.abs(m.rounded(toPlaces: significant - 1)) >= 10 { m /= 10; ee += 1 }
      return fixed(m, digits: significant - 1) + "e" + String(ee)
    }
    let digits = Swift.max(0, significant - 1 - Int(Foundation.floor(Foundation.log10(mag))))
    return fixed(x, digits: digits)
  }

  /// Decimals that show an interval of width `width` with two significant digits (0 for width ≥ 10).
  public static func decimals(forWidth width: Double) -> Int {
    guard width.isFinite, width > 0 else { return 3 }
    return Swift.min(12, Swift.max(0, 1 - Int(Foundation.floor(Foundation.log10(width)))))
  }

  /// "mean [lo, hi]" with every number at the interval's precision (two significant digits of its width).
  public static func interval(_ mean: Double, lo: Double, hi: Double) -> String {
    let d = decimals(forWidth: hi - lo)
    return "\(fixed(mean, digits: d, trimZeros: false)) [\(fixed(lo, digits: d, trimZeros: false)), \(fixed(hi, digits: d, trimZeros: false))]"
  }

  /// Fixed-point text with `digits` decimals, independent of locale (used for SVG coordinates); trailing
  /// zeros of the fraction are dropped unless `trimZeros` is false.
  public static func fixed(_ x: Double, digits: Int, trimZeros: Bool = true) -> String {
    guard x.isFinite else { return "0" }
    var p = 1.0
    for _ in 0..<digits { p *= 10 }
    let r = (x * p).rounded()
    if r == 0 { return trimZeros || digits == 0 ? "0" : "0." + String(repeating: "0", count: digits) }
    let neg = r < 0
    let mag = Swift.abs(r)
    guard mag < 9e15 else { return roundTrip(x) }
    let n = UInt64(mag)
    let scale = UInt64(p)
    var out = String(n / scale)
    if digits > 0 {
      var frac = String(n % scale)
      while frac.count < digits { frac = "0" + frac }
      if trimZeros { while frac.hasSuffix("0") { frac.removeLast() } }
      if !frac.isEmpty { out += "." + frac }
    }
    return neg ? "-" + out : out
  }
}

extension Double {
  func rounded(toPlaces n: Int) -> Double {
    let p = Foundation.pow(10, Double(Swift.max(0, n)))
    return (self * p).rounded() / p
  }
}
