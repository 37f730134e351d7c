// QuantizedMatrix: a weight matrix kept in ggml block storage, row-major [rows = out][cols = in] as in GGUF,
// with products computed on the blocks.
//   matvec (and matmul with few activation rows): each activation row is quantized to Q8-style int8 blocks of 32
//   (scale = amax/127, round half away from zero) and multiplied with the weight blocks by integer SIMD dot
//   products in C (Sources/CQuantKernels, AVX2/AVX-512 VNNI with a portable fallback; see
//   QuantizedMatrix+CKernels.swift) for Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K (Swift SIMD int8
//   kernels live in the tests as a reference); F16 and BF16 rows go through direct 16-bit kernels (weights widened
//   in registers, float activations; docs/decisions/0803-kquant-and-16-bit-kernels.md); F32 views, or every type
//   with `decodeRowsToFloat`, decode one row at a time into Floats. Rows are split across threads of the shared pool (`parallelFor`).
//   matmul with many activation rows (n ≥ gemmThreshold): for Q4_0/Q4_1/Q5_0/Q5_1/Q8_0/Q4_K/Q5_K the int8-activation GEMM
//   (qk_gemm: activations quantized as above, weights repacked per task into interleaved 16-row panels, one
//   block-sequential float chain per output; docs/decisions/0802-int8-prefill-gemm.md); for other types, or with
//   `batchActivations = .float`, chunks of 96 weight rows are decoded into a per-task Float buffer and multiplied by
//   single-threaded OpenBLAS sgemm, chunks spread over the pool (ParallelGemm); the whole tensor is never
//   dequantized at once.
import TensorCore
import Foundation

public enum QuantizedMatrixError: Error, CustomStringConvertible, Equatable {
  case shape(String)
  case unsupported(GGMLType)

  public var description: String {
    switch self {
    case let .shape(s): return "QuantizedMatrix shape error: \(s)"
    case let .unsupported(t): return "QuantizedMatrix: ggml type \(t) cannot be decoded"
    }
  }
}

public struct QuantizedMatrix: @unchecked Sendable {
  public let rows: Int
  public let cols: Int
  public let type: GGMLType
  /// Owner of the block bytes (an owned buffer or a memory-mapped file); the matrix starts at `offset`.
  public let storage: ByteStorage
  public let offset: Int
  public let rowBytes: Int

  /// Threads used when a call does not say; defaults to the number of active cores.
  nonisolated(unsafe) public static var defaultThreads: Int = ProcessInfo.processInfo.activeProcessorCount
  /// At or above this many activation rows, matmul runs a GEMM: the int8-activation GEMM (qk_gemm) for the types
  /// it covers when `batchActivations == .int8`, else decoded weight panels × F32 sgemm.
  nonisolated(unsafe) public static var gemmThreshold: Int = 8

  /// Activations of batched products (prefill, scoring) through kept-quantized weights.
  public enum BatchActivations: String, Sendable, CaseIterable {
    /// Activation rows quantized to int8 blocks of 32, as in decoding and in ggml (types with a GEMM kernel).
    case int8
    /// F32 activations times decoded weight panels (sgemm): every type.
    case float
  }
  /// The default is int8 (docs/decisions/0802-int8-prefill-gemm.md); EDGELAB_BATCH_ACTIVATIONS=float|int8 overrides it
  /// for a whole process.
  nonisolated(unsafe) public static var batchActivations: BatchActivations =
    ProcessInfo.processInfo.environment["EDGELAB_BATCH_ACTIVATIONS"].flatMap(BatchActivations.init(rawValue:)) ?? .int8

  /// When true, products with fewer than `gemmThreshold` activation rows decode each weight row to Floats and take
  /// a Float dot with the unrounded activations, for every type (the path of types without a C kernel) — kept to
  /// compare the C kernels with it (`edgelab bench quant`, the model-level tests); false (the C kernels) by default.
  nonisolated(unsafe) public static var decodeRowsToFloat = false

  public var byteCount: Int { rows * rowBytes }
  public var bitsPerWeight: Double { type.bitsPerWeight }
  var base: UnsafeRawPointer { storage.base + offset }

  /// A view of `rows × cols` elements of `type` stored in `storage` at `offset` (no copy).
  public init(rows: Int, cols: Int, type: GGMLType, storage: ByteStorage, offset: Int = 0) throws {
    guard GGMLCodec.dequantizable.contains(type) else { throw QuantizedMatrixError.unsupported(type) }
    guard rows >= 0, cols >= 0 else { throw QuantizedMatrixError.shape("negative dimensions \(rows)×\(cols)") }
    guard let rb = type.rowBytes(cols) else {
      throw QuantizedMatrixError.shape("\(type) rows need a multiple of \(type.blockSize) columns, got \(cols)")
    }
    let (total, o) = rb.multipliedReportingOverflow(by: rows)
    guard !o, offset >= 0, offset <= storage.count, total <= storage.count - offset else {
      throw QuantizedMatrixError.shape("\(rows)×\(cols) \(type) needs \(o ? "too many" : "\(total)") bytes at offset \(offset); storage has \(storage.count)")
    }
    self.rows = rows; self.cols = cols; self.type = type
    self.storage = storage; self.offset = offset; self.rowBytes = rb
  }

  /// Copy block bytes into an owned buffer.
  public init(rows: Int, cols: Int, type: GGMLType, bytes: [UInt8]) throws {
    try self.init(rows: rows, cols: cols, type: type, storage: ByteStorage(bytes: bytes))
  }

  /// Round-to-nearest quantization of a row-major Float matrix (the codec's quantizer, row by row).
  public init(quantizing w: [Float], rows: Int, cols: Int, type: GGMLType) throws {
    guard w.count == rows * cols else {
      throw QuantizedMatrixError.shape("weights have \(w.count) values, expected \(rows)×\(cols)")
    }
    guard let rb = type.rowBytes(cols) else {
      throw QuantizedMatrixError.shape("\(type) rows need a multiple of \(type.blockSize) columns, got \(cols)")
    }
    var bytes = [UInt8](repeating: 0, count: rb * rows)
    if rows * cols > 0 {
      try w.withUnsafeBufferPointer { wp in
        try bytes.withUnsafeMutableBytes { bp in
          try GGMLCodec.quantize(type, wp.baseAddress!, count: rows * cols, into: bp.baseAddress!)
        }
      }
    }
    try self.init(rows: rows, cols: cols, type: type, bytes: bytes)
  }

  /// The raw bytes of row `r`.
  public func rowPointer(_ r: Int) -> UnsafeRawPointer { base + r * rowBytes }

  /// Decode row `r` into `dst` (cols Floats).
  public func dequantizeRow(_ r: Int, into dst: UnsafeMutablePointer<Float>) {
    try! GGMLCodec.dequantize(type, rowPointer(r), count: cols, into: dst)   // type and shape validated at init
  }

  /// The whole matrix as Floats (for references and tests; kernels never call this).
  public func dequantized() -> [Float] {
    var out = [Float](repeating: 0, count: rows * cols)
    out.withUnsafeMutableBufferPointer { op in for r in 0..<rows { dequantizeRow(r, into: op.baseAddress! + r * cols) } }
    return out
  }

  // MARK: products

  /// y = W·x (x has `cols` values, y gets `rows`).
  public func matvec(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, threads: Int? = nil) {
    matmul(x, n: 1, into: y, threads: threads)
  }

  public func matvec(_ x: [Float], threads: Int? = nil) throws -> [Float] {
    guard x.count == cols else { throw QuantizedMatrixError.shape("matvec: x has \(x.count) values, expected \(cols)") }
    var y = [Float](repeating: 0, count: rows)
    x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
      matvec(xp.baseAddress!, into: yp.baseAddress!, threads: threads) } }
    return y
  }

  /// Y = X·Wᵀ: X is n×cols row-major, Y is n×rows row-major.
  public func matmul(_ X: [Float], n: Int, threads: Int? = nil) throws -> [Float] {
    guard n >= 0, X.count == n * cols else {
      throw QuantizedMatrixError.shape("matmul: X has \(X.count) values, expected \(n)×\(cols)")
    }
    var Y = [Float](repeating: 0, count: n * rows)
    guard n > 0, rows > 0 else { return Y }
    X.withUnsafeBufferPointer { xp in Y.withUnsafeMutableBufferPointer { yp in
      matmul(xp.baseAddress!, n: n, into: yp.baseAddress!, threads: threads) } }
    return Y
  }

  public func matmul(_ X: UnsafePointer<Float>, n: Int, into Y: UnsafeMutablePointer<Float>, threads: Int? = nil) {
    guard n > 0, rows > 0 else { return }
    if cols == 0 { for i in 0..<(n * rows) { Y[i] = 0 }; return }
    let nt = max(1, threads ?? QuantizedMatrix.defaultThreads)
    if n >= QuantizedMatrix.gemmThreshold && usesInt8Gemm {
      QuantizedMatrix.cProduct([QuantizedProduct(self, into: Y)], X, n: n, cols: cols, threads: nt, gemm: true)
      return
    }
    if n >= QuantizedMatrix.gemmThreshold {   // decoded 96-row chunks × single-threaded sgemm on the pool
      ParallelGemm.run([WeightMatrix(self)], X, n: n, into: [Y], accumulate: false, threads: nt)
      return
    }
    if QuantizedMatrix.hasCKernel(type) && !QuantizedMatrix.decodeRowsToFloat {
      QuantizedMatrix.cProduct([QuantizedProduct(self, into: Y)], X, n: n, cols: cols, threads: nt, gemm: false)
    } else {
      ParallelGemm.rows(rows, threads: nt) { r0, r1 in
        withUnsafeTemporaryAllocation(of: Float.self, capacity: cols) { buf in
          let wrow = buf.baseAddress!
          for r in r0..<r1 {
            dequantizeRow(r, into: wrow)
            for i in 0..<n { Y[i * rows + r] = QuantKernels.floatDot(wrow, X + i * cols, cols) }
          }
        }
      }
    }
  }
}
