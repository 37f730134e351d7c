// One entry point the model uses to turn ggml-typed bytes into Float32.
// Plain-float types (F32, F16, BF16) are handled here; block-quantized types go to the ggml codecs
// (Sources/LLM/GGML, owned by the quantization work) once available — until then a minimal local decoder
// for Q8_0 / Q4_0 / Q4_1 (ggml-common.h block layouts) is used.

public enum DequantizeError: Error, CustomStringConvertible {
  case unsupported(GGMLType)
  case badCount(GGMLType, Int)
  public var description: String {
    switch self {
    case let .unsupported(t): return "dequantizing \(t) is not supported"
    case let .badCount(t, n): return "\(n) elements is not a whole number of \(t) blocks of \(t.blockSize)"
    }
  }
}

@inline(__always) func halfToFloat(_ bits: UInt16) -> Float { Float(Float16(bitPattern: bits)) }

enum LLMDequant {
  /// Decode `count` elements of `type` starting at `src` into `dst`.
  static func dequantize(_ type: GGMLType, _ src: UnsafeRawPointer, count: Int, into dst: UnsafeMutablePointer<Float>) throws {
    guard count % type.blockSize == 0 else { throw DequantizeError.badCount(type, count) }
    switch type {
    case .f32:
      dst.update(from: src.assumingMemoryBound(to: Float.self), count: count)  // file data is 32-byte aligned
    case .f16:
      for i in 0..<count { dst[i] = halfToFloat(src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) }
    case .bf16:
      for i in 0..<count { dst[i] = Float(bitPattern: UInt32(src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) << 16) }
    case .q8_0:
      for b in 0..<(count / 32) {
        let p = src + b * 34
        let d = halfToFloat(p.loadUnaligned(as: UInt16.self))
        for j in 0..<32 { dst[b * 32 + j] = d * Float(p.load(fromByteOffset: 2 + j, as: Int8.self)) }
      }
    case .q4_0:
      for b in 0..<(count / 32) {
        let p = src + b * 18
        let d = halfToFloat(p.loadUnaligned(as: UInt16.self))
        for j in 0..<16 {
          let q = p.load(fromByteOffset: 2 + j, as: UInt8.self)
          dst[b * 32 + j] = d * Float(Int(q & 0x0F) - 8)
          dst[b * 32 + j + 16] = d * Float(Int(q >> 4) - 8)
        }
      }
    case .q4_1:
      for b in 0..<(count / 32) {
        let p = src + b * 20
        let d = halfToFloat(p.loadUnaligned(as: UInt16.self))
        let m = halfToFloat(p.loadUnaligned(fromByteOffset: 2, as: UInt16.self))
        for j in 0..<16 {
          let q = p.load(fromByteOffset: 4 + j, as: UInt8.self)
          dst[b * 32 + j] = d * Float(q & 0x0F) + m
          dst[b * 32 + j + 16] = d * Float(q >> 4) + m
        }
      }
    default:
      throw DequantizeError.unsupported(type)
    }
  }

  static func dequantize(_ type: GGMLType, _ src: UnsafeRawBufferPointer, count: Int) throws -> [Float] {
    guard let need = type.rowBytes(count), need <= src.count, let base = src.baseAddress else {
      throw DequantizeError.badCount(type, count)
    }
    var out = [Float](repeating: 0, count: count)
    try out.withUnsafeMutableBufferPointer { try dequantize(type, base, count: count, into: $0.baseAddress!) }
    return out
  }
}
