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

  /// Fixed-point text with `digits` decimals, independent of locale (used for SVG coordinates).
  public static func fixed(_ x: Double, digits: Int) -> String {
    guard x.isFinite else { return "0" }
    var p = 1.0
    for _ in 0..<digits { p *= 10 }
    let r = (x * p).rounded()
    if r == 0 { return "0" }
    let neg = r < 0
    let mag = Swift.abs(r)
    guard mag < 9e15 else { return roundTrip(x) }
    let n = UInt64(mag)
    let scale = UInt64(p)
    var out = String(n / scale)
    if digits > 0 {
      var frac = String(n % scale)
      while frac.count < digits { frac = "0" + frac }
      while frac.hasSuffix("0") { frac.removeLast() }
      if !frac.isEmpty { out += "." + frac }
    }
    return neg ? "-" + out : out
  }
}
