// A [rows × cols] row-major weight matrix (ggml: dims [cols, rows]) used as y = x·Wᵀ, stored either as
// Float32 (products through OpenBLAS sgemm/sgemv) or as raw ggml blocks (kept quantized; products by the
// quantized kernels, or chunk-wise dequantize + sgemm when no kernel exists for the type).
import CBLAS

/// Raw bytes with an owner that keeps them alive (a mapped file or an owned buffer).
public struct RawBytes: @unchecked Sendable {
  public let owner: AnyObject
  public let base: UnsafeRawPointer
  public let count: Int
  public init(_ bytes: [UInt8]) {
    let s = ByteStorage(bytes: bytes)
    owner = s; base = s.base; count = s.count
  }
  public init(owner: AnyObject, buffer: UnsafeRawBufferPointer) {
    self.owner = owner; base = buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 64)!; count = buffer.count
  }
  public var buffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
}

public final class WeightMatrix: @unchecked Sendable {
  public enum Storage { case f32([Float]); case ggml(GGMLType, RawBytes) }
  public let rows: Int
  public let cols: Int
  public let storage: Storage

  public init(rows: Int, cols: Int, values: [Float]) {
    precondition(values.count == rows * cols, "WeightMatrix: \(values.count) values for \(rows)×\(cols)")
    self.rows = rows; self.cols = cols; storage = .f32(values)
  }

  public init(rows: Int, cols: Int, type: GGMLType, bytes: RawBytes) throws {
    guard let rb = type.rowBytes(cols), rb * rows == bytes.count else {
      throw LlamaError.badTensor("\(rows)×\(cols) \(type)", "byte count \(bytes.count) does not match")
    }
    self.rows = rows; self.cols = cols
    storage = type == .f32 ? .f32(Array(UnsafeBufferPointer(start: bytes.base.assumingMemoryBound(to: Float.self), count: rows * cols)))
                           : .ggml(type, bytes)
  }

  public var type: GGMLType { if case let .ggml(t, _) = storage { return t }; return .f32 }
  public var isQuantized: Bool { type != .f32 }
  /// Bytes the weights occupy in memory.
  public var byteCount: Int { if case let .ggml(_, b) = storage { return b.count }; return rows * cols * 4 }

  /// All values as Float32 (dequantized if needed).
  public func floats() throws -> [Float] {
    switch storage {
    case let .f32(v): return v
    case let .ggml(t, b): return try LLMDequant.dequantize(t, b.buffer, count: rows * cols)
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
    case let .ggml(t, b): try LLMDequant.dequantize(t, b.base + r * t.rowBytes(cols)!, count: cols, into: dst)
    }
  }

  /// y[n × rows] (=|+=) x[n × cols] · Wᵀ.
  public func apply(_ x: UnsafePointer<Float>, n: Int, into y: UnsafeMutablePointer<Float>, accumulate: Bool = false) throws {
    guard n > 0, rows > 0 else { return }
    switch storage {
    case let .f32(v):
      v.withUnsafeBufferPointer { w in
        Self.gemm(x, n: n, w: w.baseAddress!, rows: rows, cols: cols, ldw: cols, y: y, ldy: rows, beta: accumulate ? 1 : 0)
      }
    case let .ggml(t, b):
      try applyQuantized(t, b, x, n: n, into: y, accumulate: accumulate)
    }
  }

  /// Fallback for types without a kernel: dequantize blocks of rows into a scratch buffer, then sgemm.
  func applyQuantized(_ t: GGMLType, _ b: RawBytes, _ x: UnsafePointer<Float>, n: Int,
                      into y: UnsafeMutablePointer<Float>, accumulate: Bool) throws {
    let chunk = max(1, min(rows, (1 << 20) / max(cols, 1)))
    let rb = t.rowBytes(cols)!
    var scratch = [Float](repeating: 0, count: chunk * cols)
    try scratch.withUnsafeMutableBufferPointer { s in
      var r0 = 0
      while r0 < rows {
        let nr = min(chunk, rows - r0)
        try LLMDequant.dequantize(t, b.base + r0 * rb, count: nr * cols, into: s.baseAddress!)
        Self.gemm(x, n: n, w: s.baseAddress!, rows: nr, cols: cols, ldw: cols, y: y + r0, ldy: rows, beta: accumulate ? 1 : 0)
        r0 += nr
      }
    }
  }

  /// y[n × rows] (ldy) = x[n × cols] · w[rows × cols]ᵀ + beta·y.
  @inline(__always)
  static func gemm(_ x: UnsafePointer<Float>, n: Int, w: UnsafePointer<Float>, rows: Int, cols: Int, ldw: Int,
                   y: UnsafeMutablePointer<Float>, ldy: Int, beta: Float) {
    if n == 1 {
      cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(rows), Int32(cols), 1, w, Int32(ldw), x, 1, beta, y, 1)
    } else {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(rows), Int32(cols), 1, x, Int32(cols),
                  w, Int32(ldw), beta, y, Int32(ldy))
    }
  }
}
