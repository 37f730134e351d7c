// GPTQ (Frantar et al. 2022) into ggml block formats.
//   H = 2/n Σ x xᵀ (GPTQHessian); dead columns (H_ii = 0) get H_ii = 1 and W[:, i] = 0; damping
//   λ = dampPercent · mean(diag H) added to the diagonal; Hinv = upper Cholesky factor of H⁻¹ (Linalg, Double).
//   Columns are processed in order (or by descending diag H with actOrder); for each column and each row:
//   q = Q(w) on the target block grid, err = (w − q)/Hinv_ii, and the rest of the lazy block is updated
//   W[:, i+1:i2] −= err · Hinv[i, i+1:i2]; after each block of `blockSize` columns the remaining columns get the
//   accumulated update W[:, i2:] −= Err · Hinv[i1:i2, i2:] in one sgemm.
// Grid: a ggml block (32 weights, or a 256-weight super-block for k-quants) of a row is fitted with the codec's
// own round-to-nearest quantizer when processing reaches its first column, from the current (error-updated)
// weights — as GPTQ with group size = block size does — so scales stay fixed while the block's columns are
// quantized. With actOrder the columns of a block are scattered in processing order, so all blocks are fitted
// up front from the original weights ("static groups", also available without act-order). The levels are chosen by GPTQ, written into the block,
// and decoding the bytes with GGMLCodec gives exactly the values GPTQ used for its error feedback.
import Foundation
import CBLAS
import LLM

public struct GPTQConfig: Codable, Sendable, Equatable {
  /// Columns per lazy-update block (raised to a multiple of the format's block size).
  public var blockSize: Int = 128
  /// Damping as a fraction of mean(diag H).
  public var dampPercent: Double = 0.01
  /// Process columns by descending diag(H) (block scales then fitted up front from the original weights).
  public var actOrder: Bool = false
  /// Fit every block's scale up front from the original weights ("static groups"; always on with act-order)
  /// instead of from the error-updated weights when processing reaches the block.
  public var staticGroups: Bool = false
  /// Positions at the start of every calibration window left out of the Hessians (whole-model GPTQ; default 0).
  /// Position 0 is the attention sink: its massive activations make up to 99.9 % of tr(H) of an `ffn_down` input
  /// in SmolLM2 — but leaving it out is far worse (channels active only there look dead, GPTQ dumps error into
  /// them and the sink breaks: KLD 0.21 → 0.61 on SmolLM2, decision 0700). Kept for that ablation.
  public var skipFirstPositions: Int = 0
  /// Worker threads over rows (nil = all cores).
  public var threads: Int? = nil
  public init(blockSize: Int = 128, dampPercent: Double = 0.01, actOrder: Bool = false, staticGroups: Bool = false,
              skipFirstPositions: Int = 0, threads: Int? = nil) {
    self.blockSize = blockSize; self.dampPercent = dampPercent; self.actOrder = actOrder; self.staticGroups = staticGroups
    self.skipFirstPositions = skipFirstPositions; self.threads = threads
  }
}

public enum GPTQError: Error, CustomStringConvertible, Equatable {
  case unsupportedType(GGMLType)
  case shape(String)
  public var description: String {
    switch self {
    case let .unsupportedType(t): return "GPTQ cannot target ggml type \(t) (supported: Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q6_K)"
    case let .shape(s): return "GPTQ shape error: \(s)"
    }
  }
}

/// The prepared inverse Hessian of one layer input; matrices reading the same input (q/k/v, gate/up) share it.
public struct GPTQFactor: Sendable {
  public let cols: Int
  public let dead: [Bool]
  /// Processing order: step i handles original column perm[i].
  public let perm: [Int]
  public let actOrder: Bool
  /// Damping actually added (raised ×10 on a failed factorization, up to 4 times).
  public let damp: Double
  /// Upper Cholesky factor of (P H Pᵀ + damp I)⁻¹ in processing order, row-major Float.
  let hinv: [Float]

  public init(hessian: GPTQHessian, config: GPTQConfig = GPTQConfig()) throws {
    guard hessian.cols > 0 else { throw GPTQError.shape("Hessian has 0 columns") }
    try self.init(cols: hessian.cols, config: config) { hessian.matrix }
  }

  public init(hessian h: [Double], cols n: Int, config: GPTQConfig = GPTQConfig()) throws {
    guard h.count == n * n, n > 0 else { throw GPTQError.shape("Hessian has \(h.count) values for \(n) columns") }
    try self.init(cols: n, config: config) { h }
  }

  /// Memory: the processing-order Hessian P is factored in place (one n×n Double buffer, plus one more inside the
  /// inversion) and rebuilt from `source` for a retry with more damping, instead of keeping a spare copy.
  private init(cols n: Int, config: GPTQConfig, source: () -> [Double]) throws {
    func processed() -> (P: [Double], dead: [Bool], perm: [Int]) {
      var H = source()
      var dead = [Bool](repeating: false, count: n)
      for i in 0..<n where H[i * n + i] == 0 { dead[i] = true; H[i * n + i] = 1 }
      let perm = config.actOrder ? (0..<n).sorted { (H[$0 * n + $0], $1) > (H[$1 * n + $1], $0) } : Array(0..<n)
      guard config.actOrder else { return (H, dead, perm) }
      var P = H
      for i in 0..<n { for j in 0..<n { P[i * n + j] = H[perm[i] * n + perm[j]] } }
      return (P, dead, perm)
    }
    var (P, dead, perm) = processed()
    let meanDiag = (0..<n).reduce(0.0) { $0 + P[$1 * n + $1] } / Double(n)
    var damp = config.dampPercent * meanDiag
    var attempt = 0
    while true {
      for i in 0..<n { P[i * n + i] += damp }
      do {
        let U = try Linalg.upperCholeskyOfInverse(factoring: &P, n: n)
        hinv = U.map { Float($0) }
        break
      } catch let e as LinalgError {
        attempt += 1
        if attempt > 4 { throw e }
        damp = max(damp * 10, 1e-8 * max(meanDiag, 1))
        P = processed().P
      }
    }
    self.cols = n; self.dead = dead; self.perm = perm; self.actOrder = config.actOrder; self.damp = damp
  }
}

public struct GPTQResult: Sendable {
  public let matrix: QuantizedMatrix
  /// Σ over weights of (w − q)² / (2·Hinv_ii²), GPTQ's running loss.
  public let loss: Double
  public let seconds: Double
}

public enum GPTQ {
  /// Quantize W (rows × cols, row-major [out][in]) into `type` blocks using the layer's prepared factor.
  public static func quantize(_ W: [Float], rows: Int, cols: Int, type: GGMLType, factor: GPTQFactor,
                              config: GPTQConfig = GPTQConfig()) throws -> GPTQResult {
    let t0 = Date()
    guard GGMLBlockLevels.supports(type) else { throw GPTQError.unsupportedType(type) }
    guard W.count == rows * cols, factor.cols == cols else {
      throw GPTQError.shape("W has \(W.count) values for \(rows)×\(cols); factor has \(factor.cols) columns")
    }
    let G = type.blockSize, BB = type.blockBytes
    guard let rowBytes = type.rowBytes(cols) else {
      throw GPTQError.shape("\(type) needs a multiple of \(G) columns, got \(cols)")
    }
    let B = max(G, (config.blockSize + G - 1) / G * G)
    let perm = factor.perm, staticGroups = factor.actOrder || config.staticGroups
    let (lmin, lmax) = GGMLBlockLevels.levelRange(type)

    // Working copy in processing order, dead columns zeroed.
    var Wp = [Float](repeating: 0, count: rows * cols)
    for r in 0..<rows { for i in 0..<cols where !factor.dead[perm[i]] { Wp[r * cols + i] = W[r * cols + perm[i]] } }
    var out = [UInt8](repeating: 0, count: rows * rowBytes)
    if staticGroups {                               // fit every block from the original weights
      var Wz = W
      for r in 0..<rows { for c in 0..<cols where factor.dead[c] { Wz[r * cols + c] = 0 } }
      try Wz.withUnsafeBufferPointer { wp in try out.withUnsafeMutableBytes { op in
        try GGMLCodec.quantize(type, wp.baseAddress!, count: rows * cols, into: op.baseAddress!) } }
    }
    let threads = max(1, config.threads ?? ProcessInfo.processInfo.activeProcessorCount)
    var err = [Float](repeating: 0, count: rows * B)
    var loss = 0.0
    let lossLock = NSLock()

    try factor.hinv.withUnsafeBufferPointer { hp in
      try Wp.withUnsafeMutableBufferPointer { wpb in
        try out.withUnsafeMutableBytes { ob in
          try err.withUnsafeMutableBufferPointer { eb in
            let Hv = hp.baseAddress!, Wm = wpb.baseAddress!, O = ob.baseAddress!, E = eb.baseAddress!
            var i1 = 0
            while i1 < cols {
              let i2 = min(cols, i1 + B), nb = i2 - i1
              let start = i1
              let chunks = rows >= 16 * threads ? threads * 4 : 1
              let per = (rows + chunks - 1) / chunks
              var failure: Error?
              DispatchQueue.concurrentPerform(iterations: chunks) { c in
                var l = 0.0
                for r in (c * per)..<min(rows, (c + 1) * per) {
                  let w = Wm + r * cols, e = E + r * nb, orow = O + r * rowBytes
                  for i in start..<i2 {
                    let col = perm[i], g = col / G, j = col % G
                    let blk = orow + g * BB
                    if !staticGroups && j == 0 {
                      do { try GGMLCodec.quantize(type, w + i, count: G, into: blk) } catch { failure = error; return }
                    }
                    let (a, b) = GGMLBlockLevels.affine(type, UnsafeRawPointer(blk), j)
                    let x = w[i]
                    var L = lmin
                    if a != 0 {
                      let f = ((x - b) / a).rounded()
                      L = f.isFinite ? Int(min(Float(lmax), max(Float(lmin), f))) : lmin
                    } else if type == .q8_0 { L = 0 }
                    GGMLBlockLevels.setLevel(type, blk, j, L)
                    let q = a * Float(L) + b
                    let d = Hv[i * cols + i]
                    let ei = (x - q) / d
                    l += Double((x - q) * (x - q)) / Double(2 * d * d)
                    e[i - start] = ei
                    let hrow = Hv + i * cols
                    var k = i + 1
                    while k < i2 { w[k] -= ei * hrow[k]; k += 1 }
                  }
                }
                lossLock.lock(); loss += l; lossLock.unlock()
              }
              if let f = failure { throw f }
              if i2 < cols {                          // W[:, i2:] −= Err (rows×nb) · Hinv[i1:i2, i2:]
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(cols - i2), Int32(nb),
                            -1, E, Int32(nb), Hv + i1 * cols + i2, Int32(cols), 1, Wm + i2, Int32(cols))
              }
              i1 = i2
            }
          }
        }
      }
    }
    let m = try QuantizedMatrix(rows: rows, cols: cols, type: type, bytes: out)
    return GPTQResult(matrix: m, loss: loss, seconds: Date().timeIntervalSince(t0))
  }

  /// Convenience: one matrix, its own calibration inputs X (n × cols).
  public static func quantize(_ W: [Float], rows: Int, cols: Int, type: GGMLType, calibration X: [Float], n: Int,
                              config: GPTQConfig = GPTQConfig()) throws -> GPTQResult {
    var h = GPTQHessian(cols: cols)
    try h.add(X, rows: n)
    let f = try GPTQFactor(hessian: h, config: config)
    return try quantize(W, rows: rows, cols: cols, type: type, factor: f, config: config)
  }
}
