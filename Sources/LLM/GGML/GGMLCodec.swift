// GGMLCodec: quantize Float buffers into ggml block bytes and dequantize them back.
//
// Reference: the PyPI `gguf` package (gguf/quants.py, version 0.19.0), whose quantizers reproduce ggml's
// C reference quantizers (quantize_row_*_ref in ggml-quants.c); fixtures from tools/reference/ggml_fixtures.py
// check both directions bit for bit. Rounding conventions (same in gguf-py and ggml C for these types):
//   Q8_0            q = round-half-away-from-zero(x / d), d = amax / 127
//   Q4_0 / Q5_0     d = (signed value of largest |x|, first one on ties) / −8 (−16); q = min(15 (31), trunc(x/d + 8.5 (16.5)))
//   Q4_1 / Q5_1     d = (max − min) / 15 (31), m = min; q = min(15 (31), trunc((x − m)/d + 0.5))
//   all             the reciprocal 1/d is computed in Float32 and the unrounded Float32 d is used for q; the stored
//                   d (and m) are rounded to binary16 ties-to-even (numpy astype(float16) / ggml's fp32→fp16).
// k-quants: gguf-py only dequantizes them. Our Q2_K…Q6_K quantizers follow ggml's C reference algorithms
// (quantize_row_q*_K_ref; GGMLCodec+AffineK.swift, +Q3K.swift, +KQuants.swift) and are checked byte for byte against
// that C code's output (tools/reference/kquant_fixtures.py).
import TensorCore

public enum GGMLCodecError: Error, CustomStringConvertible, Equatable {
  case countNotMultipleOfBlock(type: GGMLType, count: Int, blockSize: Int)
  case negativeCount(Int)
  case unsupported(type: GGMLType, operation: String)
  case bufferTooSmall(needed: Int, got: Int)

  public var description: String {
    switch self {
    case let .countNotMultipleOfBlock(t, c, b):
      return "\(t): element count \(c) is not a multiple of the block size \(b)"
    case let .negativeCount(c): return "element count must be ≥ 0 (got \(c))"
    case let .unsupported(t, op): return "\(op) is not supported for ggml type \(t)"
    case let .bufferTooSmall(n, g): return "buffer too small: need \(n) bytes, got \(g)"
    }
  }
}

public enum GGMLCodec {
  /// Types `dequantize` handles.
  public static let dequantizable: Set<GGMLType> = [.f32, .f16, .bf16, .q8_0, .q4_0, .q4_1, .q5_0, .q5_1,
                                                     .q2_K, .q3_K, .q4_K, .q5_K, .q6_K]
  /// Types `quantize` handles.
  public static let quantizable: Set<GGMLType> = [.f32, .f16, .bf16, .q8_0, .q4_0, .q4_1, .q5_0, .q5_1,
                                                   .q2_K, .q3_K, .q4_K, .q5_K, .q6_K]

  /// Bytes that `count` elements of `type` occupy; throws when `count` is not a whole number of blocks.
  public static func byteCount(_ type: GGMLType, count: Int) throws -> Int {
    guard count >= 0 else { throw GGMLCodecError.negativeCount(count) }
    guard let n = type.rowBytes(count) else {
      throw GGMLCodecError.countNotMultipleOfBlock(type: type, count: count, blockSize: type.blockSize)
    }
    return n
  }

  /// Decode `count` elements of `type` stored at `src` into `dst`.
  public static func dequantize(_ type: GGMLType, _ src: UnsafeRawPointer, count: Int,
                                into dst: UnsafeMutablePointer<Float>) throws {
    _ = try byteCount(type, count: count)
    let nb = count / type.blockSize
    switch type {
    case .f32: UnsafeMutableRawPointer(dst).copyMemory(from: src, byteCount: count * 4)
    case .f16: for i in 0..<count { dst[i] = FP16.loadHalf(src, 2 * i) }
    case .bf16: for i in 0..<count { dst[i] = FP16.float(fromBF16: FP16.load16(src, 2 * i)) }
    case .q8_0: for b in 0..<nb { dequantQ8_0(src + 34 * b, dst + 32 * b) }
    case .q4_0: for b in 0..<nb { dequantQ4_0(src + 18 * b, dst + 32 * b) }
    case .q4_1: for b in 0..<nb { dequantQ4_1(src + 20 * b, dst + 32 * b) }
    case .q5_0: for b in 0..<nb { dequantQ5_0(src + 22 * b, dst + 32 * b) }
    case .q5_1: for b in 0..<nb { dequantQ5_1(src + 24 * b, dst + 32 * b) }
    case .q2_K: for b in 0..<nb { dequantQ2_K(src + 84 * b, dst + 256 * b) }
    case .q3_K: for b in 0..<nb { dequantQ3_K(src + 110 * b, dst + 256 * b) }
    case .q4_K: for b in 0..<nb { dequantQ4_K(src + 144 * b, dst + 256 * b) }
    case .q5_K: for b in 0..<nb { dequantQ5_K(src + 176 * b, dst + 256 * b) }
    case .q6_K: for b in 0..<nb { dequantQ6_K(src + 210 * b, dst + 256 * b) }
    default: throw GGMLCodecError.unsupported(type: type, operation: "dequantize")
    }
  }

  /// Encode `count` Floats at `src` as `type` into `dst` (which must hold `byteCount(type, count)` bytes).
  public static func quantize(_ type: GGMLType, _ src: UnsafePointer<Float>, count: Int,
                              into dst: UnsafeMutableRawPointer) throws {
    _ = try byteCount(type, count: count)
    let nb = count / type.blockSize
    switch type {
    case .f32: dst.copyMemory(from: src, byteCount: count * 4)
    case .f16: for i in 0..<count { FP16.store16(FP16.bits(from: src[i]), dst, 2 * i) }
    case .bf16: for i in 0..<count { FP16.store16(FP16.bf16Bits(from: src[i]), dst, 2 * i) }
    case .q8_0: for b in 0..<nb { quantQ8_0(src + 32 * b, dst + 34 * b) }
    case .q4_0: for b in 0..<nb { quantQ4_0(src + 32 * b, dst + 18 * b) }
    case .q4_1: for b in 0..<nb { quantQ4_1(src + 32 * b, dst + 20 * b) }
    case .q5_0: for b in 0..<nb { quantQ5_0(src + 32 * b, dst + 22 * b) }
    case .q5_1: for b in 0..<nb { quantQ5_1(src + 32 * b, dst + 24 * b) }
    case .q2_K: for b in 0..<nb { quantQ2_K(src + 256 * b, dst + 84 * b) }
    case .q3_K: for b in 0..<nb { quantQ3_K(src + 256 * b, dst + 110 * b) }
    case .q4_K: for b in 0..<nb { quantQ4_K(src + 256 * b, dst + 144 * b) }
    case .q5_K: for b in 0..<nb { quantQ5_K(src + 256 * b, dst + 176 * b) }
    case .q6_K: for b in 0..<nb { quantQ6_K(src + 256 * b, dst + 210 * b) }
    default: throw GGMLCodecError.unsupported(type: type, operation: "quantize")
    }
  }

  // MARK: Array conveniences

  public static func quantize(_ type: GGMLType, _ x: [Float]) throws -> [UInt8] {
    let n = try byteCount(type, count: x.count)
    var out = [UInt8](repeating: 0, count: n)
    try x.withUnsafeBufferPointer { xp in
      try out.withUnsafeMutableBytes { op in
        guard n > 0 else { return }
        try quantize(type, xp.baseAddress!, count: x.count, into: op.baseAddress!)
      }
    }
    return out
  }

  public static func dequantize(_ type: GGMLType, _ bytes: [UInt8], count: Int) throws -> [Float] {
    try bytes.withUnsafeBytes { try dequantize(type, $0, count: count) }
  }

  /// Decode the first `count` elements of `type` in `bytes` (e.g. a GGUF tensor's data) into a new array.
  public static func dequantize(_ type: GGMLType, _ bytes: UnsafeRawBufferPointer, count: Int) throws -> [Float] {
    let n = try byteCount(type, count: count)
    guard bytes.count >= n else { throw GGMLCodecError.bufferTooSmall(needed: n, got: bytes.count) }
    var out = [Float](repeating: 0, count: count)
    guard count > 0 else { return out }                       // count > 0 ⇒ n > 0 ⇒ bytes has a base address
    try out.withUnsafeMutableBufferPointer { try dequantize(type, bytes.baseAddress!, count: count, into: $0.baseAddress!) }
    return out
  }
}
