// The C kernels (Sources/CQuantKernels) against independent references: a Double product of the decoded weights
// and the int8-quantized activations (tight), the same with Float activations (loose), the Swift int8 kernels
// (float rounding), and each other: portable C, AVX2 and AVX-512 VNNI must agree bit for bit, and so must 1, 2
// and 3 threads.
import XCTest
import CQuantKernels
import TensorCore
@testable import LLM

final class QuantCKernelTests: XCTestCase {
  static let types: [GGMLType] = [.q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q4_K, .q6_K]

  /// Every level this CPU has (portable first).
  var levels: [QuantKernelLevel] {
    [QuantKernelLevel.portable, .avx2, .avx512vnni].filter { $0.rawValue <= QuantKernelLevel.best.rawValue }
  }

  override func tearDown() { QuantKernelLevel.set(.avx512vnni) }   // back to the best level

  func randomValues(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
    var rng = RNG(seed: seed)
    return (0..<count).map { i in Float(rng.normal()) * scale + (i % 37 == 5 ? 3 * scale : 0) }
  }

  func testQuantizationMatchesReferenceOnEveryLevel() {
    // Random values, exact ties (k + ½ steps), a zero block, negative-only and tiny values.
    var x = randomValues(32 * 6, seed: 11)
    for j in 0..<32 { x[32 + j] = Float(j - 16) * 0.5 * (127.0 / 16.0) / 127 * 16 }   // many exact .5 codes
    for j in 0..<32 { x[64 + j] = 0 }
    for j in 0..<32 { x[96 + j] = -Float(j + 1) * 0.01 }
    for j in 0..<32 { x[128 + j] = Float(j) * 1e-30 }
    x[160] = 127; x[161] = 0.5; x[162] = -0.5; x[163] = 1.5; x[164] = -2.5
    let (rq, rd) = QuantReference.codes(x)
    for level in levels {
      QuantKernelLevel.set(level)
      let r = x.withUnsafeBufferPointer { Q8Rows($0.baseAddress!, n: 2, cols: x.count / 2) }
      XCTAssertEqual(r.q, rq, "\(level)")
      XCTAssertEqual(r.d, rd, "\(level)")
      for b in 0..<rd.count {
        let si = (0..<32).reduce(Int32(0)) { $0 + Int32(rq[32 * b + $1]) }
        XCTAssertEqual(r.isum[b], si, "\(level) block \(b)")
        XCTAssertEqual(r.s[b], rd[b] * Float(si), "\(level) block \(b)")
        XCTAssertEqual(r.ds[2 * b], r.d[b]); XCTAssertEqual(r.ds[2 * b + 1], r.s[b])
        for k in 0..<8 {
          XCTAssertEqual(r.nls[8 * b + k], -(0..<4).reduce(Int32(0)) { $0 + Int32(rq[32 * b + 4 * k + $1]) })
        }
      }
    }
  }

  func testProductsMatchReferencesAcrossLevelsAndThreads() throws {
    for t in Self.types {
      let shapes = t == .q4_K || t == .q6_K ? [(1, 256), (3, 512), (37, 768), (70, 256 * 5)]
                              : [(1, 32), (3, 64), (37, 96), (203, 576), (70, 32 * 33)]
      for (rows, cols) in shapes {
        let W = randomValues(rows * cols, seed: UInt64(rows * 1000 + cols), scale: 0.05)
        let m = try QuantizedMatrix(quantizing: W, rows: rows, cols: cols, type: t)
        let Wd = m.dequantized()
        for n in [1, 3] {
          let X = randomValues(n * cols, seed: UInt64(n + cols))
          var results = [[Float]]()
          for level in levels {
            QuantKernelLevel.set(level)
            for threads in [1, 2, 3] { results.append(try m.matmul(X, n: n, threads: threads)) }
          }
          for (k, y) in results.enumerated() {
            XCTAssertEqual(y, results[0], "\(t) \(rows)×\(cols) n=\(n): result \(k) (level/thread combination) differs")
          }
          let Y = results[0]
          // Tight: exactly (decoded W)·x̂ up to float rounding.
          let (yq, mq) = QuantReference.product(Wd, QuantReference.q8Dequantized(X), rows: rows, cols: cols, n: n)
          for k in 0..<(n * rows) { XCTAssertEqual(Double(Y[k]), yq[k], accuracy: 2e-6 * mq[k] + 1e-7, "\(t) \(rows)×\(cols) k=\(k)") }
          // Loose: dequantize-then-F32-matmul (int8 activations cost < 1% of Σ|w·x|).
          let (yf, mf) = QuantReference.product(Wd, X, rows: rows, cols: cols, n: n)
          for k in 0..<(n * rows) { XCTAssertEqual(Double(Y[k]), yf[k], accuracy: 0.01 * mf[k], "\(t) \(rows)×\(cols) k=\(k)") }
          // The Swift int8 kernels (same activation codes) agree to float rounding.
          let act = X.withUnsafeBufferPointer { Q8Activations($0.baseAddress!, n: n, cols: cols) }
          act.withPointers { a in
            for i in 0..<n { for r in 0..<rows {
              let s = SwiftQ8Kernels.dot(t, m.rowPointer(r), a, row: i, cols: cols)
              XCTAssertEqual(Y[i * rows + r], s, accuracy: 1e-5 * Float(mq[i * rows + r]) + 1e-7, "\(t) swift r=\(r)")
            } }
          }
        }
      }
    }
  }

  func testGroupedProductsAccumulateAndMatchSingleProducts() throws {
    let cols = 128, n = 2
    let X = randomValues(n * cols, seed: 5)
    let mats = try [(GGMLType.q4_1, 40), (.q8_0, 17), (.q4_0, 65)].map { (t, rows) in
      try QuantizedMatrix(quantizing: randomValues(rows * cols, seed: UInt64(rows), scale: 0.1), rows: rows, cols: cols, type: t)
    }
    let singles = try mats.map { try $0.matmul(X, n: n, threads: 1) }
    var outs = mats.map { [Float](repeating: 0.25, count: n * $0.rows) }
    for threads in [1, 2] {
      for k in outs.indices { outs[k] = [Float](repeating: 0.25, count: n * mats[k].rows) }
      let ptrs = outs.indices.map { k in UnsafeMutablePointer<Float>.allocate(capacity: outs[k].count) }
      defer { ptrs.forEach { $0.deallocate() } }
      for k in outs.indices { ptrs[k].initialize(from: outs[k], count: outs[k].count) }
      let products = mats.indices.map { QuantizedProduct(mats[$0], into: ptrs[$0], accumulate: $0 != 0) }
      X.withUnsafeBufferPointer { QuantizedMatrix.matmulGroup(products, $0.baseAddress!, n: n, threads: threads) }
      for k in mats.indices {
        let got = Array(UnsafeBufferPointer(start: ptrs[k], count: outs[k].count))
        let want = k == 0 ? singles[k] : singles[k].map { 0.25 + $0 }
        XCTAssertEqual(got, want, "matrix \(k) threads \(threads)")
      }
    }
  }

  func testQ8_0ExtremeCodesAndLargeScales() throws {
    // Hand-made Q8_0 blocks with −128 and 127 codes (ggml never writes −128, a file may) and a large scale.
    let cols = 64, rows = 3
    var bytes = [UInt8]()
    var rng = RNG(seed: 9)
    for r in 0..<rows { for _ in 0..<(cols / 32) {
      let d = FP16.bits(from: r == 2 ? 1000 : 0.01)
      bytes += [UInt8(d & 0xff), UInt8(d >> 8)]
      for j in 0..<32 { bytes.append(j % 3 == 0 ? 0x80 : j % 3 == 1 ? 0x7f : UInt8(truncatingIfNeeded: Int(rng.uniform() * 256))) }
    } }
    let m = try QuantizedMatrix(rows: rows, cols: cols, type: .q8_0, bytes: bytes)
    let X: [Float] = (0..<cols).map { j in
      let base = Float(j % 5) - 2
      return j % 7 == 0 ? base + 0.3 : base
    }
    let (yq, mq) = QuantReference.product(m.dequantized(), QuantReference.q8Dequantized(X), rows: rows, cols: cols, n: 1)
    for level in levels {
      QuantKernelLevel.set(level)
      let y = try m.matvec(X, threads: 1)
      for r in 0..<rows { XCTAssertEqual(Double(y[r]), yq[r], accuracy: 2e-6 * mq[r] + 1e-7, "\(level) row \(r)") }
    }
  }

  func testDecodeAttentionMatchesSwiftReference() {
    for (hd, T) in [(64, 37), (40, 5), (12, 3), (64, 1)] { checkDecodeAttention(hd: hd, T: T) }
  }

  func checkDecodeAttention(hd: Int, T: Int) {
    let heads = 6, group = 3, kv = heads / group
    let kw = kv * hd
    let q = randomValues(heads * hd, seed: 1), k = randomValues(T * kw, seed: 2), v = randomValues(T * kw, seed: 3)
    var ref = [Float](repeating: 0, count: heads * hd), scratch = [Float](repeating: 0, count: T)
    q.withUnsafeBufferPointer { qb in k.withUnsafeBufferPointer { kb in v.withUnsafeBufferPointer { vb in
      ref.withUnsafeMutableBufferPointer { ob in scratch.withUnsafeMutableBufferPointer { sb in
        LlamaModel.decodeAttention(q: qb.baseAddress!, k: kb.baseAddress!, v: vb.baseAddress!, out: ob.baseAddress!,
                                   scores: sb.baseAddress!, T: T, heads: heads, group: group, hd: hd, kw: kw, scale: 0.125)
      } }
    } } }
    var outs = [[Float]]()
    for level in levels {
      QuantKernelLevel.set(level)
      for threads in [1, 2] {
        var out = [Float](repeating: .nan, count: heads * hd), scores = [Float](repeating: 0, count: heads * T)
        q.withUnsafeBufferPointer { qb in k.withUnsafeBufferPointer { kb in v.withUnsafeBufferPointer { vb in
          out.withUnsafeMutableBufferPointer { ob in scores.withUnsafeMutableBufferPointer { sb in
            qk_decode_attention(qb.baseAddress!, kb.baseAddress!, vb.baseAddress!, ob.baseAddress!, sb.baseAddress!,
                                Int64(T), Int32(heads), Int32(group), Int32(hd), Int64(kw), 0.125, Int32(threads))
          } }
        } } }
        outs.append(out)
      }
    }
    for o in outs { XCTAssertEqual(o, outs[0], "hd \(hd) T \(T): levels/threads must agree bit for bit") }
    for i in 0..<(heads * hd) { XCTAssertEqual(outs[0][i], ref[i], accuracy: 1e-5 * max(1, abs(ref[i])), "hd \(hd) T \(T) element \(i)") }
  }

  func testParallelForRunsEveryIndexOnceAndNests() {
    for threads in [1, 2, 4] {
      let counts = UnsafeMutablePointer<Int>.allocate(capacity: 1000)
      counts.initialize(repeating: 0, count: 1000)
      defer { counts.deallocate() }
      parallelFor(100, threads: threads) { i in
        parallelFor(10, threads: threads) { j in counts[i * 10 + j] += 1 }   // nested: runs serially in the task
      }
      XCTAssertEqual((0..<1000).filter { counts[$0] != 1 }.count, 0, "threads \(threads)")
    }
  }

  func testKeptQuantizedModelIsIdenticalAcrossThreadsAndLevels() throws {
    let model = try LlamaModel.load(path: TestPaths.requireModel(), keepQuantized: true)
    defer { LLMThreads.set(ProcessInfo.processInfo.activeProcessorCount) }
    let prompt: [Int32] = [1, 504, 3458, 314, 4649, 30, 216]
    func run() throws -> [[Float]] {
      var c = model.makeCache()
      var out = [try model.forward(tokens: prompt, cache: &c, lastOnly: true)]        // prefill (panel + sgemm path)
      for t: Int32 in [253, 1130] { out.append(try model.forward(tokens: [t], cache: &c, lastOnly: true)) }  // decode
      return out
    }
    LLMThreads.set(1)
    let base = try run()
    LLMThreads.set(2)
    let two = try run()
    XCTAssertEqual(two[1], base[1], "decode logits changed with 2 threads")
    XCTAssertEqual(two[2], base[2], "decode logits changed with 2 threads")
    QuantKernelLevel.set(.portable)
    LLMThreads.set(2)
    let portable = try run()
    XCTAssertEqual(portable[1], two[1], "portable C decode differs from \(QuantKernelLevel.best)")
    XCTAssertEqual(portable[2], two[2], "portable C decode differs from \(QuantKernelLevel.best)")
  }

  func testBatchedPrefillIsIdenticalAcrossThreadCounts() throws {
    // 150 positions: two attention tiles, every projection through ParallelGemm's fixed chunks.
    defer { LLMThreads.set(ProcessInfo.processInfo.activeProcessorCount) }
    let ids = (0..<150).map { Int32(($0 * 7919) % 49000 + 17) }
    for quantized in [true, false] {
      let model = try LlamaModel.load(path: TestPaths.requireModel(), keepQuantized: quantized)
      var results = [[Float]]()
      for threads in [1, 2, 3] {
        LLMThreads.set(threads)
        var c = model.makeCache()
        var logits = try model.forward(tokens: Array(ids.prefix(140)), cache: &c)
        logits += try model.forward(tokens: Array(ids.suffix(10)), cache: &c)      // continuation with pos0 > 0
        logits += try model.forward(tokens: [42], cache: &c)                       // one decoding step
        results.append(logits)
      }
      XCTAssertEqual(results[1], results[0], "quantized=\(quantized): 2 threads differ from 1")
      XCTAssertEqual(results[2], results[0], "quantized=\(quantized): 3 threads differ from 1")
    }
  }
}
