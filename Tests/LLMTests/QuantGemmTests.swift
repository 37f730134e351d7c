// The int8-activation GEMM (qk_gemm, Sources/CQuantKernels/qk_gemm.c; Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q4_K, Q5_K)
// against a plain Swift reference of the same integer math written from the ggml block layouts (bit for bit: one
// block-sequential fused-multiply-add chain per output), against a Double product of the decoded weights and the int8 activations (tight tolerance), and across
// levels (portable C, AVX2, AVX-512 VNNI), thread counts and shapes that are not multiples of the 16-row panels or
// the 8-row activation tiles.
import XCTest
import CQuantKernels
import TensorCore
@testable import LLM

final class QuantGemmTests: XCTestCase {
  static let types: [GGMLType] = [.q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q4_K, .q5_K]

  var levels: [QuantKernelLevel] {
    [QuantKernelLevel.portable, .avx2, .avx512vnni].filter { $0.rawValue <= QuantKernelLevel.best.rawValue }
  }

  override func tearDown() { QuantKernelLevel.set(.avx512vnni); QuantizedMatrix.batchActivations = .int8 }

  func randomValues(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
    var rng = RNG(seed: seed)
    return (0..<count).map { i in Float(rng.normal()) * scale + (i % 41 == 3 ? 4 * scale : 0) }
  }

  /// Integer codes w_int = u − o (32 per block), scale and min of block k of a row, read from the bytes (Q4_K/Q5_K:
  /// sub-block k mod 8 of super-block k/8, w = d·sc·u − dmin·m with ggml's 6-bit scale/min packing).
  static func block(_ t: GGMLType, _ row: UnsafeRawPointer, _ k: Int) -> (codes: [Int], d: Float, m: Float) {
    if t == .q4_K || t == .q5_K {
      let b = (row + t.blockBytes * (k / 8)).assumingMemoryBound(to: UInt8.self), j = k % 8
      func half(_ o: Int) -> Float { Float(Float16(bitPattern: UInt16(b[o]) | UInt16(b[o + 1]) << 8)) }
      let s = b + 4
      let sc = j < 4 ? Int(s[j] & 63) : Int(s[j + 4] & 15) | Int(s[j - 4] >> 6) << 4
      let mn = j < 4 ? Int(s[j + 4] & 63) : Int(s[j + 4] >> 4) | Int(s[j] >> 6) << 4
      let qs = b + (t == .q5_K ? 48 : 16) + 32 * (j / 2)
      let codes = (0..<32).map { l in Int((qs[l] >> UInt8(4 * (j % 2))) & 15) | (t == .q5_K ? Int((b[16 + l] >> UInt8(j)) & 1) << 4 : 0) }
      return (codes, half(0) * Float(sc), -(half(2) * Float(mn)))
    }
    let b = (row + t.rowBytes(32)! * k).assumingMemoryBound(to: UInt8.self)
    func half(_ o: Int) -> Float { Float(Float16(bitPattern: UInt16(b[o]) | UInt16(b[o + 1]) << 8)) }
    var c = [Int](repeating: 0, count: 32)
    switch t {
    case .q4_0, .q4_1:
      let qs = t == .q4_0 ? 2 : 4
      for j in 0..<16 { c[j] = Int(b[qs + j] & 15); c[j + 16] = Int(b[qs + j] >> 4) }
      if t == .q4_0 { c = c.map { $0 - 8 } }
      return (c, half(0), t == .q4_1 ? half(2) : 0)
    case .q5_0, .q5_1:
      let h = t == .q5_0 ? 2 : 4
      let qh = UInt32(b[h]) | UInt32(b[h + 1]) << 8 | UInt32(b[h + 2]) << 16 | UInt32(b[h + 3]) << 24
      for j in 0..<16 {
        c[j] = Int(b[h + 4 + j] & 15) | Int((qh >> UInt32(j)) & 1) << 4
        c[j + 16] = Int(b[h + 4 + j] >> 4) | Int((qh >> UInt32(j + 16)) & 1) << 4
      }
      if t == .q5_0 { c = c.map { $0 - 16 } }
      return (c, half(0), t == .q5_1 ? half(2) : 0)
    default:
      for j in 0..<32 { c[j] = Int(Int8(bitPattern: b[2 + j])) }
      return (c, half(0), 0)
    }
  }

  /// The GEMM's math in plain Swift: acc = fma(Float(t_b), dw·dx, acc) (+ fma(mw, s, acc)) over blocks in order.
  static func reference(_ m: QuantizedMatrix, _ X: [Float], n: Int) -> [Float] {
    let nb = m.cols / 32
    let (q, d) = QuantReference.codes(X)
    var y = [Float](repeating: 0, count: n * m.rows)
    for r in 0..<m.rows {
      let blocks = (0..<nb).map { block(m.type, m.rowPointer(r), $0) }
      for i in 0..<n {
        var acc: Float = 0
        for b in 0..<nb {
          var t = 0, isum = 0
          for j in 0..<32 { let x = Int(q[i * m.cols + 32 * b + j]); t += blocks[b].codes[j] * x; isum += x }
          acc = acc.addingProduct(Float(t), blocks[b].d * d[i * nb + b])
          if [.q4_1, .q5_1, .q4_K, .q5_K].contains(m.type) { acc = acc.addingProduct(blocks[b].m, d[i * nb + b] * Float(isum)) }
        }
        y[i * m.rows + r] = acc
      }
    }
    return y
  }

  func testGemmMatchesSwiftReferenceBitForBitOnEveryLevelAndThreadCount() throws {
    // rows: below, at and above the 16-row panel and 32-row task group; n: at the threshold, off the 8-row tile.
    // K-quants (256-value super-blocks): the same row and n cases, plus random block bytes (every scale/min code).
    let shapes = [(1, 32, 8), (15, 64, 9), (16, 96, 17), (17, 32, 8), (33, 160, 23), (70, 576, 64), (5, 1536, 11)]
    let kShapes = [(1, 256, 8), (15, 512, 9), (17, 256, 8), (33, 768, 23), (70, 1280, 64), (5, 2560, 11), (18, 512, 10)]
    for t in Self.types {
      let isK = t.blockSize == 256
      for (rows, cols, n) in isK ? kShapes : shapes {
        let W = randomValues(rows * cols, seed: UInt64(rows * 7 + cols), scale: 0.05)
        var m = try QuantizedMatrix(quantizing: W, rows: rows, cols: cols, type: t)
        if isK && rows == 18 {
          var rng = RNG(seed: 12)
          var bytes = (0..<(rows * t.rowBytes(cols)!)).map { _ in UInt8(truncatingIfNeeded: Int(rng.uniform() * 256)) }
          for b in stride(from: 0, to: bytes.count, by: t.blockBytes) { for o in [0, 2] {
            let h = FP16.bits(from: Float(0.001 + 0.01 * rng.uniform())); bytes[b + o] = UInt8(h & 0xff); bytes[b + o + 1] = UInt8(h >> 8)
          } }
          m = try QuantizedMatrix(rows: rows, cols: cols, type: t, bytes: bytes)
        }
        let X = randomValues(n * cols, seed: UInt64(n * 3 + cols))
        let want = Self.reference(m, X, n: n)
        for level in levels {
          QuantKernelLevel.set(level)
          for threads in [1, 2, 3] {
            let got = try m.matmul(X, n: n, threads: threads)
            XCTAssertEqual(got, want, "\(t) \(rows)×\(cols) n=\(n) \(level) threads \(threads)")
          }
        }
        // Tight: (decoded W)·x̂ in Double, up to float rounding of the chain.
        let (yq, mq) = QuantReference.product(m.dequantized(), QuantReference.q8Dequantized(X), rows: rows, cols: cols, n: n)
        for k in 0..<(n * rows) { XCTAssertEqual(Double(want[k]), yq[k], accuracy: 2e-6 * mq[k] + 1e-7, "\(t) \(rows)×\(cols) k=\(k)") }
      }
    }
  }

  func testGemmQ8_0ExtremeCodesAndAccumulation() throws {
    // −128 and 127 codes (the AVX2 path takes |q| as unsigned), a large scale, and `accumulate` onto 0.25.
    let cols = 96, rows = 19, n = 10
    var bytes = [UInt8]()
    var rng = RNG(seed: 4)
    for r in 0..<rows { for _ in 0..<(cols / 32) {
      let d = FP16.bits(from: r == 2 ? 1000 : 0.01)
      bytes += [UInt8(d & 0xff), UInt8(d >> 8)]
      for j in 0..<32 { bytes.append(j % 3 == 0 ? 0x80 : j % 3 == 1 ? 0x7f : UInt8(truncatingIfNeeded: Int(rng.uniform() * 256))) }
    } }
    let m = try QuantizedMatrix(rows: rows, cols: cols, type: .q8_0, bytes: bytes)
    let X = randomValues(n * cols, seed: 8).enumerated().map { $0.offset % 9 == 0 ? -127 : $0.element }
    let want = Self.reference(m, X, n: n).map { 0.25 + $0 }
    for level in levels {
      QuantKernelLevel.set(level)
      let out = UnsafeMutablePointer<Float>.allocate(capacity: n * rows)
      defer { out.deallocate() }
      out.initialize(repeating: 0.25, count: n * rows)
      X.withUnsafeBufferPointer { QuantizedMatrix.matmulGroup([QuantizedProduct(m, into: out, accumulate: true)], $0.baseAddress!, n: n, threads: 2) }
      XCTAssertEqual(Array(UnsafeBufferPointer(start: out, count: n * rows)), want, "\(level)")
    }
  }

  func testGroupedGemmOfMixedTypesEqualsSingleProducts() throws {
    let cols = 64, n = 12
    let X = randomValues(n * cols, seed: 6)
    let mats = try [(GGMLType.q4_0, 40), (.q8_0, 17), (.q5_1, 3)].map { (t, rows) in
      try QuantizedMatrix(quantizing: randomValues(rows * cols, seed: UInt64(rows), scale: 0.1), rows: rows, cols: cols, type: t)
    }
    let singles = mats.map { Self.reference($0, X, n: n) }
    let ws = mats.map { WeightMatrix($0) }
    let outs = mats.map { UnsafeMutablePointer<Float>.allocate(capacity: n * $0.rows) }
    defer { outs.forEach { $0.deallocate() } }
    try X.withUnsafeBufferPointer { try WeightMatrix.applyGroup(ws, $0.baseAddress!, n: n, into: outs) }
    for k in mats.indices { XCTAssertEqual(Array(UnsafeBufferPointer(start: outs[k], count: n * mats[k].rows)), singles[k], "matrix \(k)") }
  }

  func testFloatBatchActivationsKeepTheSgemmPath() throws {
    // The opt-out: F32 activations times decoded weights (within sgemm rounding of the Double product).
    let rows = 20, cols = 64, n = 9
    let m = try QuantizedMatrix(quantizing: randomValues(rows * cols, seed: 2, scale: 0.1), rows: rows, cols: cols, type: .q4_0)
    let X = randomValues(n * cols, seed: 3)
    QuantizedMatrix.batchActivations = .float
    XCTAssertFalse(m.usesInt8Gemm)
    let y = try m.matmul(X, n: n, threads: 2)
    let (yf, mf) = QuantReference.product(m.dequantized(), X, rows: rows, cols: cols, n: n)
    for k in 0..<(n * rows) { XCTAssertEqual(Double(y[k]), yf[k], accuracy: 1e-6 * mf[k] + 1e-7, "k=\(k)") }
    QuantizedMatrix.batchActivations = .int8
    XCTAssertTrue(m.usesInt8Gemm)
    XCTAssertEqual(try m.matmul(X, n: n, threads: 2), Self.reference(m, X, n: n))
  }
}
