// GGMLBlockLevels: writing a level then decoding with the codec gives exactly a·L + b (up to the sign of zero).
import XCTest
import TensorCore
@testable import LLM

final class GGMLBlockLevelsTests: XCTestCase {
  func testSetLevelDecodesToAffineValue() throws {
    var rng = RNG(seed: 17)
    for t in [GGMLType.q8_0, .q4_0, .q4_1, .q5_0, .q5_1, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K] {
      let n = t.blockSize * 3
      let x = (0..<n).map { _ in Float(rng.normal()) * 0.1 }
      var bytes = try GGMLCodec.quantize(t, x)
      let (lo, hi) = GGMLBlockLevels.levelRange(t)
      var expect = [Float](repeating: 0, count: n)
      bytes.withUnsafeMutableBytes { bp in
        for i in 0..<n {
          let blk = bp.baseAddress! + (i / t.blockSize) * t.blockBytes
          let L = lo + Int(rng.next() % UInt64(hi - lo + 1))
          GGMLBlockLevels.setLevel(t, blk, i % t.blockSize, L)
          let (a, b) = GGMLBlockLevels.affine(t, UnsafeRawPointer(blk), i % t.blockSize)
          expect[i] = a * Float(L) + b
        }
      }
      let got = try GGMLCodec.dequantize(t, bytes, count: n)
      let bad = (0..<n).filter { got[$0] != expect[$0] }   // equal values (a signed zero may differ)
      XCTAssertTrue(bad.isEmpty, "\(t): \(bad.count) differ, first \(bad.first.map { "\($0): \(got[$0]) vs \(expect[$0])" } ?? "")")
      // And the codec's own levels are recovered from (a, b).
      let q = try GGMLCodec.quantize(t, x)
      let y = try GGMLCodec.dequantize(t, q, count: n)
      q.withUnsafeBytes { bp in
        for i in 0..<n {
          let (a, b) = GGMLBlockLevels.affine(t, bp.baseAddress! + (i / t.blockSize) * t.blockBytes, i % t.blockSize)
          if a != 0 { XCTAssertEqual(((y[i] - b) / a).rounded() * a + b, y[i], accuracy: abs(a) * 1e-3) }
        }
      }
    }
  }
}
