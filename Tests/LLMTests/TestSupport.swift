// Shared test helpers: repository paths, the default model (loaded once), fixtures.
import TensorCore
import XCTest
@testable import LLM

enum TestPaths {
  static let repoRoot: String = {
    var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)  // Tests/LLMTests/TestSupport.swift
    return parts.joined(separator: "/")
  }()
  static let defaultModel = repoRoot + "/assets/models/SmolLM2-135M-Instruct.Q4_1.gguf"
  static let fixtures = repoRoot + "/Tests/LLMTests/Fixtures"

  static func requireModel() throws -> String {
    guard access(defaultModel, R_OK) == 0 else {
      throw XCTSkip("assets missing: \(defaultModel) (run `edgelab fetch` or see README to download SmolLM2)")
    }
    return defaultModel
  }

  static func readFixture(_ name: String) throws -> [UInt8] {
    let s = try ByteStorage(mapping: fixtures + "/" + name)
    return Array(s.buffer)
  }
}

/// Plain references for the quantized products, written independently of the kernels (shared by
/// GGMLQuantizedMatrixTests and QuantCKernelTests).
enum QuantReference {
  /// Activation codes as the int8 path must produce them: blocks of 32, d = amax/127, q = round-half-away(x·(1/d)).
  static func codes(_ x: [Float]) -> (q: [Int8], d: [Float]) {
    var q = [Int8](repeating: 0, count: x.count), d = [Float](repeating: 0, count: x.count / 32)
    for b in 0..<(x.count / 32) {
      var amax: Float = 0
      for j in 0..<32 { amax = max(amax, abs(x[32 * b + j])) }
      d[b] = amax / 127
      let id: Float = d[b] == 0 ? 0 : 1 / d[b]
      for j in 0..<32 { q[32 * b + j] = Int8((x[32 * b + j] * id).rounded(.toNearestOrAwayFromZero)) }
    }
    return (q, d)
  }

  /// The activations the int8 path multiplies with: q·d per element.
  static func q8Dequantized(_ x: [Float]) -> [Float] {
    let (q, d) = codes(x)
    return (0..<x.count).map { Float(q[$0]) * d[$0 / 32] }
  }

  /// Y = X·Wᵀ in Double (W rows × cols, X n × cols) and Σ|w·x| per output for tolerances.
  static func product(_ W: [Float], _ X: [Float], rows: Int, cols: Int, n: Int) -> ([Double], [Double]) {
    var y = [Double](repeating: 0, count: n * rows), mag = y
    for i in 0..<n { for r in 0..<rows {
      var s = 0.0, m = 0.0
      for j in 0..<cols { let p = Double(W[r * cols + j]) * Double(X[i * cols + j]); s += p; m += abs(p) }
      y[i * rows + r] = s; mag[i * rows + r] = m
    } }
    return (y, mag)
  }
}

/// Mean next-token negative log-likelihood of `ids` under row-major logits (one row of `vocab` per position): the
/// average over positions i < ids.count − 1 of logsumexp(row i) − row i[ids[i + 1]], in Double.
func meanNextTokenNLL(_ logits: [Float], ids: [Int32]) -> Double {
  let vocab = logits.count / ids.count
  return (0..<(ids.count - 1)).reduce(0.0) { acc, i in
    let row = logits[(i * vocab)..<((i + 1) * vocab)], mx = row.max()!
    let lse = Double(mx) + log(row.reduce(0.0) { $0 + exp(Double($1 - mx)) })
    return acc + lse - Double(logits[i * vocab + Int(ids[i + 1])])
  } / Double(ids.count - 1)
}
