// QuantizedMatrix products against dequantize-then-multiply references computed in Double.
import XCTest
import TensorCore
@testable import LLM

final class GGMLQuantizedMatrixTests: XCTestCase {
  static let types: [GGMLType] = [.q8_0, .q4_0, .q4_1, .q5_0, .q5_1, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .f16, .bf16, .f32]

  func randomMatrix(_ rows: Int, _ cols: Int, seed: UInt64) -> [Float] {
    var rng = RNG(seed: seed)
    return (0..<(rows * cols)).map { i in Float(rng.normal()) * 0.05 + (i % cols == 7 ? 0.2 : 0) }
  }

  func testMatvecMatchesDequantizedReference() throws {
    let rows = 96, cols = 512
    let W = randomMatrix(rows, cols, seed: 1)
    var rng = RNG(seed: 2)
    let x = (0..<cols).map { _ in Float(rng.normal()) }
    for t in Self.types {
      let m = try QuantizedMatrix(quantizing: W, rows: rows, cols: cols, type: t)
      let Wd = m.dequantized()
      let y1 = try m.matvec(x, threads: 1)
      let y2 = try m.matvec(x, threads: 2)
      XCTAssertEqual(y1, y2, "\(t): thread count changed the result")
      // Tight: the kernel equals the exact product of the decoded weights and the int8-quantized activations.
      let xin = QuantizedMatrix.hasInt8Kernel(t) ? QuantReference.q8Dequantized(x) : x
      let (yq, magq) = QuantReference.product(Wd, xin, rows: rows, cols: cols, n: 1)
      for r in 0..<rows {
        XCTAssertEqual(Double(y1[r]), yq[r], accuracy: 2e-6 * magq[r] + 1e-7, "\(t) row \(r)")
      }
      // Loose: close to dequantize-then-matvec with Float activations (int8 activations cost < 1% of Σ|w·x|).
      let (yf, magf) = QuantReference.product(Wd, x, rows: rows, cols: cols, n: 1)
      for r in 0..<rows { XCTAssertEqual(Double(y1[r]), yf[r], accuracy: 0.01 * magf[r], "\(t) row \(r)") }
    }
  }

  func testMatmulBothPaths() throws {
    let rows = 80, cols = 256
    let W = randomMatrix(rows, cols, seed: 3)
    var rng = RNG(seed: 4)
    for t in [GGMLType.q4_1, .q8_0, .q4_K, .q6_K, .f16] {
      let m = try QuantizedMatrix(quantizing: W, rows: rows, cols: cols, type: t)
      let Wd = m.dequantized()
      for n in [3, 21] {                  // int8 dot path, then the int8 GEMM (Q4_1, Q8_0) or panel + sgemm
        let X = (0..<(n * cols)).map { _ in Float(rng.normal()) }
        let Y = try m.matmul(X, n: n, threads: 2)
        // Int8 paths: the exact product with the int8-quantized activations up to float rounding; sgemm: with X.
        let int8 = n < QuantizedMatrix.gemmThreshold ? QuantizedMatrix.hasInt8Kernel(t) : m.usesInt8Gemm
        let (yr, mag) = QuantReference.product(Wd, int8 ? QuantReference.q8Dequantized(X) : X, rows: rows, cols: cols, n: n)
        let tol = int8 ? 2e-6 : 1e-5
        for k in 0..<(n * rows) { XCTAssertEqual(Double(Y[k]), yr[k], accuracy: tol * mag[k] + 1e-6, "\(t) n=\(n) k=\(k)") }
        // Row i of a matmul equals matvec of row i.
        let yv = try m.matvec(Array(X[cols..<(2 * cols)]), threads: 1)
        let yrow = Array(Y[rows..<(2 * rows)])
        if n < QuantizedMatrix.gemmThreshold { XCTAssertEqual(yv, yrow) }
      }
    }
  }

  func testViewIntoStorageAndErrors() throws {
    let W = randomMatrix(4, 64, seed: 5)
    let q = try GGMLCodec.quantize(.q4_0, W)
    let storage = ByteStorage(bytes: [UInt8](repeating: 0xAA, count: 10) + q)
    let view = try QuantizedMatrix(rows: 4, cols: 64, type: .q4_0, storage: storage, offset: 10)
    XCTAssertEqual(view.dequantized(), try GGMLCodec.dequantize(.q4_0, q, count: 256))
    XCTAssertEqual(view.byteCount, 4 * 36)
    XCTAssertThrowsError(try QuantizedMatrix(rows: 5, cols: 64, type: .q4_0, storage: storage, offset: 10))
    XCTAssertThrowsError(try QuantizedMatrix(rows: 4, cols: 48, type: .q4_0, bytes: q))
    XCTAssertThrowsError(try QuantizedMatrix(rows: 1, cols: 256, type: .q8_1, bytes: [UInt8](repeating: 0, count: 288)))
    XCTAssertThrowsError(try QuantizedMatrix(quantizing: W, rows: 4, cols: 60, type: .q8_0))
    XCTAssertThrowsError(try view.matvec([Float](repeating: 0, count: 63)))
    XCTAssertThrowsError(try view.matmul([Float](repeating: 0, count: 64), n: 2))
  }
}
