// The C exp / softmax / SwiGLU (Sources/CQuantKernels/qk_math.c) against Double references, and portable C against
// AVX2 bit for bit.
import XCTest
import Foundation
import CQuantKernels
import TensorCore
@testable import LLM

final class QuantCMathTests: XCTestCase {
  override func tearDown() { QuantKernelLevel.set(.avx512vnni) }

  var levels: [QuantKernelLevel] {
    [QuantKernelLevel.portable, .avx2].filter { $0.rawValue <= QuantKernelLevel.best.rawValue }
  }

  func testExpIsWithinThreeUlpOfDouble() {
    var worst = 0.0
    var x: Float = -86.9
    while x < 88 {
      let got = Double(qk_expf(x)), want = Foundation.exp(Double(x))
      let ulp = Double(Float(want).ulp)
      worst = max(worst, abs(got - want) / ulp)
      x += 0.0137
    }
    XCTAssertLessThan(worst, 3, "max error \(worst) ulp")
    XCTAssertEqual(qk_expf(-100), 0)
    XCTAssertEqual(qk_expf(0), 1)
    XCTAssertEqual(qk_expf(-Float.infinity), 0)
  }

  func testSoftmaxMatchesDoubleReferenceOnEveryLevel() {
    var rng = RNG(seed: 3)
    for n in [1, 5, 8, 13, 64, 515] {
      let x = (0..<n).map { _ in Float(rng.normal()) * 6 }
      let m = Double(x.max()!)
      let e = x.map { Foundation.exp(Double($0) - m) }
      let s = e.reduce(0, +)
      var outs = [[Float]]()
      for level in levels {
        QuantKernelLevel.set(level)
        var y = x
        y.withUnsafeMutableBufferPointer { qk_softmax($0.baseAddress!, Int64(n)) }
        outs.append(y)
        for i in 0..<n { XCTAssertEqual(Double(y[i]), e[i] / s, accuracy: 1e-6 * (e[i] / s) + 1e-12, "n=\(n) i=\(i) \(level)") }
      }
      for o in outs { XCTAssertEqual(o, outs[0], "n=\(n): levels differ") }
    }
  }

  func testSwiGLUMatchesDoubleReferenceOnEveryLevel() {
    var rng = RNG(seed: 4)
    let n = 203
    var g = (0..<n).map { _ in Float(rng.normal()) * 4 }
    g[0] = 95; g[1] = -95; g[2] = 0
    let u = (0..<n).map { _ in Float(rng.normal()) }
    var outs = [[Float]]()
    for level in levels {
      QuantKernelLevel.set(level)
      var y = g
      y.withUnsafeMutableBufferPointer { yb in u.withUnsafeBufferPointer { qk_swiglu(yb.baseAddress!, $0.baseAddress!, Int64(n)) } }
      outs.append(y)
      for i in 0..<n {
        let a = Double(g[i]), want = a / (1 + Foundation.exp(-a)) * Double(u[i])
        XCTAssertEqual(Double(y[i]), want, accuracy: 1e-6 * abs(want) + 1e-30, "i=\(i) \(level)")
      }
    }
    for o in outs { XCTAssertEqual(o, outs[0], "levels differ") }
  }
}
