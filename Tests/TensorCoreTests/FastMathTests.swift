import XCTest
import Foundation
@testable import TensorCore

final class FastMathTests: XCTestCase {
  func testExpAndTanhAgainstDouble() {
    var worstExp = 0.0, worstTanh = 0.0
    var x: Float = -87
    while x < 88.37 {
      let e = Double(FastMath.exp(x)), r = Foundation.exp(Double(x))
      worstExp = max(worstExp, abs(e - r) / r)
      if abs(x) < 20 { worstTanh = max(worstTanh, abs(Double(FastMath.tanh(x)) - Foundation.tanh(Double(x)))) }
      x += 0.000731
    }
    XCTAssertLessThan(worstExp, 3e-7, "exp relative error")
    XCTAssertLessThan(worstTanh, 3e-7, "tanh absolute error")
    for v: Float in [1e-6, 1e-3, 0.05, 0.0625, 0.07] {
      XCTAssertEqual(Double(FastMath.tanh(v)), Foundation.tanh(Double(v)), accuracy: 1e-6 * Double(v) + 1e-9)
      XCTAssertEqual(FastMath.tanh(-v), -FastMath.tanh(v))
    }
    XCTAssertEqual(FastMath.exp(-100), 0)
    XCTAssertEqual(FastMath.exp(100), .infinity)
    XCTAssertEqual(FastMath.exp(0), 1)
    XCTAssertTrue(FastMath.exp(.nan).isNaN)
    XCTAssertTrue(FastMath.tanh(.nan).isNaN)
    XCTAssertEqual(FastMath.exp(-.infinity), 0)
    XCTAssertEqual(FastMath.tanh(.infinity), 1)
    XCTAssertEqual(FastMath.tanh(-30), -1)
  }

  /// log1p and expm1 against Double references (libm's log1p/expm1 in Double) over a dense multiplicative grid
  /// of magnitudes 1e-30…1e30 of both signs, in units in the last place of the Float result.
  func testLog1pAndExpm1AgainstDouble() {
    func ulps(_ a: Float, _ ref: Double) -> Double {
      if Double(a) == ref { return 0 }
      let r = Float(ref)
      return abs(Double(a) - ref) / Double(r.ulp == 0 ? Float.leastNonzeroMagnitude : r.ulp)
    }
    var worstLog = 0.0, worstExp = 0.0, count = 0
    var x: Float = 1e-30
    while x < 1e30 {
      for v in [x, -x] {
        if v > -1 { worstLog = max(worstLog, ulps(FastMath.log1p(v), Foundation.log1p(Double(v)))) }
        if abs(v) < 88 { worstExp = max(worstExp, ulps(FastMath.expm1(v), Foundation.expm1(Double(v)))) }
        count += 1
      }
      x *= 1.0001
    }
    XCTAssertGreaterThan(count, 2_000_000)
    XCTAssertLessThan(worstLog, 2, "log1p worst ulp")
    XCTAssertLessThan(worstExp, 3, "expm1 worst ulp")
    XCTAssertEqual(FastMath.log1p(0), 0)
    XCTAssertEqual(FastMath.log1p(-0.0).sign, .minus)
    XCTAssertEqual(FastMath.log1p(-1), -.infinity)
    XCTAssertTrue(FastMath.log1p(-2).isNaN)
    XCTAssertTrue(FastMath.log1p(.nan).isNaN)
    XCTAssertEqual(FastMath.log1p(.infinity), .infinity)
    XCTAssertEqual(FastMath.expm1(0), 0)
    XCTAssertEqual(FastMath.expm1(-0.0).sign, .minus)
    XCTAssertEqual(FastMath.expm1(100), .infinity)
    XCTAssertEqual(FastMath.expm1(-100), -1)
    XCTAssertEqual(FastMath.expm1(-.infinity), -1)
    XCTAssertTrue(FastMath.expm1(.nan).isNaN)
  }
}
