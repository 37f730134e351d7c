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
}
