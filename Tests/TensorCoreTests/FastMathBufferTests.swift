import CQuantKernels
import Foundation
import XCTest
@testable import TensorCore

/// FastMath's buffer forms (C, Sources/CQuantKernels/qk_vmath.c) at every SIMD level against the scalar Swift
/// functions, bit for bit, and against Double references.
final class FastMathBufferTests: XCTestCase {
  typealias Buffer = (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void
  static let functions: [(name: String, buffer: Buffer, scalar: (Float) -> Float)] = [
    ("exp", FastMath.exp, FastMath.exp), ("tanh", FastMath.tanh, FastMath.tanh),
    ("sigmoid", FastMath.sigmoid, FastMath.sigmoid), ("log1p", FastMath.log1p, FastMath.log1p),
    ("expm1", FastMath.expm1, FastMath.expm1),
    ("symlog", FastMath.signedLog1p, { Float(signOf: $0, magnitudeOf: FastMath.log1p(abs($0))) }),
    ("symexp", FastMath.signedExpm1, { Float(signOf: $0, magnitudeOf: FastMath.expm1(abs($0))) }),
  ]

  /// Special values, the functions' branch points, a dense grid over the ranges that matter and random bit
  /// patterns over the whole float line (NaNs with payloads, subnormals, infinities included).
  static func inputs() -> [Float] {
    var xs: [Float] = [0, -0, 1, -1, .infinity, -.infinity, .nan, -.nan, Float(bitPattern: 0x7fc0_1234),
                       .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude,
                       -.greatestFiniteMagnitude, -87.33654, 88.3762626647949, 88, 44, 0.0625, -0.0625, 0.707106781,
                       Float(1).nextDown, Float(-1).nextDown, Float(-1).nextUp, 1e-30, -1e-30]
    for b in [Float(-87.33654), 88.3762626647949, 0.0625, -0.0625, 1, -1, 44, -44] {
      var v = b
      for _ in 0..<8 { v = v.nextUp; xs.append(v) }
      v = b
      for _ in 0..<8 { v = v.nextDown; xs.append(v) }
    }
    var x: Float = -100
    while x < 100 { xs.append(x); x += 0.00731 }
    var s: UInt64 = 0x9e37_79b9_7f4a_7c15
    for _ in 0..<400_000 {
      s ^= s << 13; s ^= s >> 7; s ^= s << 17
      xs.append(Float(bitPattern: UInt32(truncatingIfNeeded: s >> 16)))
    }
    return xs
  }

  func testEveryLevelGivesTheScalarFunctionsBits() {
    let xs = Self.inputs(), best = Int(qk_best_level())
    defer { _ = qk_set_level(Int32(best)) }
    var y = [Float](repeating: 0, count: xs.count)
    for level in 0...best {
      XCTAssertEqual(Int(qk_set_level(Int32(level))), level)
      for f in Self.functions {
        xs.withUnsafeBufferPointer { src in
          y.withUnsafeMutableBufferPointer { dst in f.buffer(src.baseAddress!, dst.baseAddress!, xs.count) }
        }
        var mismatches = 0, first = ""
        for i in 0..<xs.count where y[i].bitPattern != f.scalar(xs[i]).bitPattern {
          if mismatches == 0 { first = "x = \(xs[i]) (0x\(String(xs[i].bitPattern, radix: 16))): \(y[i]) vs \(f.scalar(xs[i]))" }
          mismatches += 1
        }
        XCTAssertEqual(mismatches, 0, "\(f.name) level \(level): \(first)")
      }
    }
  }

  /// Every length 0…40 at every start offset 0…3 (vector bodies and zero-padded tails), in place and out of place;
  /// elements outside [start, start + n) are untouched.
  func testTailsOffsetsAndInPlace() {
    let best = Int(qk_best_level())
    defer { _ = qk_set_level(Int32(best)) }
    let base: [Float] = (0..<48).map { Float($0) * 0.37 - 8.5 }
    for level in 0...best {
      _ = qk_set_level(Int32(level))
      for f in Self.functions {
        for start in 0..<4 {
          for n in 0...40 {
            var out = [Float](repeating: 7, count: 48)
            base.withUnsafeBufferPointer { src in
              out.withUnsafeMutableBufferPointer { dst in f.buffer(src.baseAddress! + start, dst.baseAddress! + start, n) }
            }
            var inPlace = base
            inPlace.withUnsafeMutableBufferPointer { p in f.buffer(p.baseAddress! + start, p.baseAddress! + start, n) }
            for i in 0..<48 {
              let inside = i >= start && i < start + n
              XCTAssertEqual(out[i].bitPattern, inside ? f.scalar(base[i]).bitPattern : Float(7).bitPattern,
                             "\(f.name) level \(level) start \(start) n \(n) i \(i)")
              XCTAssertEqual(inPlace[i].bitPattern, inside ? f.scalar(base[i]).bitPattern : base[i].bitPattern,
                             "\(f.name) in place, level \(level) start \(start) n \(n) i \(i)")
            }
          }
        }
      }
    }
  }

  /// The buffer forms against Double references (libm in Double) on a grid: relative error for exp, sigmoid,
  /// symexp; absolute for tanh; ulps of the Float result for log1p / symlog.
  func testAgainstDoubleReferences() {
    var xs: [Float] = []
    var x: Float = -80
    while x < 80 { xs.append(x); x += 0.0137 }
    var y = [Float](repeating: 0, count: xs.count)
    func run(_ f: Buffer) {
      xs.withUnsafeBufferPointer { s in y.withUnsafeMutableBufferPointer { d in f(s.baseAddress!, d.baseAddress!, xs.count) } }
    }
    func worst(_ ref: (Double) -> Double, relative: Bool) -> Double {
      var w = 0.0
      for (i, v) in xs.enumerated() {
        let r = ref(Double(v))
        w = max(w, abs(Double(y[i]) - r) / (relative ? max(abs(r), 1e-30) : 1))
      }
      return w
    }
    run(FastMath.exp); XCTAssertLessThan(worst(Foundation.exp, relative: true), 3e-7)
    run(FastMath.tanh); XCTAssertLessThan(worst(Foundation.tanh, relative: false), 3e-7)
    run(FastMath.sigmoid); XCTAssertLessThan(worst({ 1 / (1 + Foundation.exp(-$0)) }, relative: true), 5e-7)
    run(FastMath.signedLog1p)
    XCTAssertLessThan(worst({ ($0 < 0 ? -1 : 1) * Foundation.log1p(abs($0)) }, relative: true), 3e-7)
    xs = xs.filter { abs($0) < 80 }
    y = [Float](repeating: 0, count: xs.count)
    run(FastMath.signedExpm1)
    XCTAssertLessThan(worst({ ($0 < 0 ? -1 : 1) * Foundation.expm1(abs($0)) }, relative: true), 5e-7)
  }
}
