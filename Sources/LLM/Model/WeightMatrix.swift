// A [rows × cols] row-major weight matrix (ggml: dims [cols, rows]) used as y = x·Wᵀ, stored either as
// Float32 (products through OpenBLAS sgemm/sgemv) or kept in ggml blocks as a `QuantizedMatrix` (products by
// the quantized kernels in Sources/LLM/GGML: integer SIMD dots for decoding, the int8 GEMM or panel-dequantize +
// sgemm for batches; the whole tensor is never dequantized).
import CBLAS
import TensorCore

public final class WeightMatrix: @unchecked Sendable {
  public enum Storage { case f32([Float]); case quantized(QuantizedMatrix) }
  public let rows: Int
  public let cols: Int
  public let storage: Storage

  public init(rows: Int, cols: Int, values: [Float]) {
    precondition(values.count == rows * cols, "WeightMatrix: \(values.count) values for \(rows)×\(cols)")
    self.rows = rows; self.cols = cols; storage = .f32(values)
  }

  public init(_ q: QuantizedMatrix) {
    rows = q.rows; cols = q.cols; storage = .quantized(q)
  }

  /// A view of `type` data inside `storage` at `offset` (F32 data is copied into an array).
  public convenience init(rows: Int, cols: Int, type: GGMLType, storage: ByteStorage, offset: Int) throws {
    let q = try QuantizedMatrix(rows: rows, cols: cols, type: type, storage: storage, offset: offset)
    if type == .f32 {
      self.init(rows: rows, cols: cols, values: Array(UnsafeBufferPointer(start: (storage.base + offset).assumingMemoryBound(to: Float.self), count: rows * cols)))
    } else { self.init(q) }
  }

  /// Round-to-nearest quantization of this matrix into `type` (ggml-compatible blocks).
  public func quantized(as type: GGMLType) throws -> WeightMatrix {
    if type == .f32 { return try dequantized() }
    return WeightMatrix(try QuantizedMatrix(quantizing: floats(), rows: rows, cols: cols, type: type))
  }

  public var type: GGMLType { if case let .quantized(q) = storage { return q.type }; return .f32 }
  public var isQuantized: Bool { type != .f32 }
  /// Bytes the weights occupy in memory.
  public var byteCount: Int { if case let .quantized(q) = storage { return q.byteCount }; return rows * cols * 4 }

  /// The stored bytes in ggml layout (F32 little-endian or blocks).
  public var rawBytes: [UInt8] {
    switch storage {
    case let .f32(v): return v.withUnsafeBytes { Array($0) }
    case let .quantized(q): return Array(UnsafeRawBufferPointer(start: q.rowPointer(0), count: q.byteCount))
    }
  }

  /// All values as Float32 (dequantized if needed).
  public func floats() throws -> [Float] {
    switch storage {
    case let .f32(v): return v
    case let .quantized(q): return q.dequantized()
    }
  }

  /// A dense Float32 copy (no-op for dense matrices).
  public func dequantized() throws -> WeightMatrix {
    if case .f32 = storage { return self }
    return WeightMatrix(rows: rows, cols: cols, values: try floats())
  }

  /// Row `r` into `dst[0..<cols]`.
  public func row(_ r: Int, into dst: UnsafeMutablePointer<Float>) throws {
    switch storage {
    case let .f32(v): v.withUnsafeBufferPointer { dst.update(from: $0.baseAddress! + r * cols, count: cols) }
    case let .quantized(q): q.dequantizeRow(r, into: dst)
    }
  }

  /// y[n × rows] (=|+=) x[n × cols] · Wᵀ. Dense matrices, and kept-quantized ones with n ≥
  /// QuantizedMatrix.gemmThreshold rows and no int8 GEMM (`usesInt8Gemm`), go through ParallelGemm (fixed chunks of single-threaded sgemm/sgemv on the
  /// pool: the same result for any thread count); kept-quantized ones with fewer rows use the int8 C kernels.
  public func apply(_ x: UnsafePointer<Float>, n: Int, into y: UnsafeMutablePointer<Float>, accumulate: Bool = false) throws {
    guard n > 0, rows > 0 else { return }
    if case let .quantized(q) = storage, n < QuantizedMatrix.gemmThreshold || q.usesInt8Gemm {
      QuantizedMatrix.matmulGroup([QuantizedProduct(q, into: y, accumulate: accumulate)], x, n: n)
      return
    }
    ParallelGemm.run([self], x, n: n, into: [y], accumulate: accumulate, threads: QuantizedMatrix.defaultThreads)
  }

  /// Several matrices with the same input: ys[k][n × ws[k].rows] = x[n × cols] · ws[k]ᵀ. Kept-quantized matrices
  /// share one activation quantization and one parallel region (decoding runs q/k/v and gate/up this way).
  public static func applyGroup(_ ws: [WeightMatrix], _ x: UnsafePointer<Float>, n: Int,
                                into ys: [UnsafeMutablePointer<Float>]) throws {
    precondition(ws.count == ys.count, "applyGroup: \(ws.count) matrices, \(ys.count) outputs")
    guard n > 0 else { return }
    if n >= QuantizedMatrix.gemmThreshold {
      var gemm = [QuantizedProduct](), rest = [WeightMatrix](), restOut = [UnsafeMutablePointer<Float>]()
      for (w, y) in zip(ws, ys) {
        if case let .quantized(q) = w.storage, q.usesInt8Gemm, q.cols == ws[0].cols { gemm.append(QuantizedProduct(q, into: y)) }
        else { rest.append(w); restOut.append(y) }
      }
      if !gemm.isEmpty { QuantizedMatrix.matmulGroup(gemm, x, n: n) }
      if !rest.isEmpty { ParallelGemm.run(rest, x, n: n, into: restOut, accumulate: false, threads: QuantizedMatrix.defaultThreads) }
      return
    }
    var products = [QuantizedProduct](), dense = [WeightMatrix](), denseOut = [UnsafeMutablePointer<Float>]()
    for (w, y) in zip(ws, ys) {
      if case let .quantized(q) = w.storage { products.append(QuantizedProduct(q, into: y)) }
      else { dense.append(w); denseOut.append(y) }
    }
    if !products.isEmpty { QuantizedMatrix.matmulGroup(products, x, n: n) }
    if !dense.isEmpty {
      ParallelGemm.run(dense, x, n: n, into: denseOut, accumulate: false, threads: QuantizedMatrix.defaultThreads)
    }
  }
}

/// Thread count for model inference: OpenBLAS (F32 products) and the quantized kernels.
public enum LLMThreads {
  /// Threads the quantized kernels use (the value last set; BLAS follows it).
  public static var current: Int { QuantizedMatrix.defaultThreads }
  public static func set(_ n: Int) {
    let t = max(1, n)
    BLAS.setThreads(t)
    QuantizedMatrix.defaultThreads = t
  }
}
