// ggml tensor element types: ids as stored in GGUF files, block geometry, and bytes per row.
// Geometry from ggml's type traits (ggml.c / ggml-common.h): quantized types store rows as a sequence of
// fixed-size blocks, so a row length must be a multiple of `blockSize`.

public enum GGMLType: UInt32, CaseIterable, Sendable, Codable, CustomStringConvertible {
  case f32 = 0, f16 = 1, q4_0 = 2, q4_1 = 3, q5_0 = 6, q5_1 = 7, q8_0 = 8, q8_1 = 9
  case q2_K = 10, q3_K = 11, q4_K = 12, q5_K = 13, q6_K = 14, q8_K = 15
  case bf16 = 30

  /// Elements per block (1 for plain float types).
  public var blockSize: Int {
    switch self {
    case .f32, .f16, .bf16: return 1
    case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q8_1: return 32
    case .q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .q8_K: return 256
    }
  }

  /// Bytes per block.
  public var blockBytes: Int {
    switch self {
    case .f32: return 4
    case .f16, .bf16: return 2
    case .q4_0: return 18      // fp16 d + 16 bytes of nibbles
    case .q4_1: return 20      // fp16 d, fp16 m + 16 bytes
    case .q5_0: return 22      // fp16 d + 4 bytes high bits + 16 bytes
    case .q5_1: return 24      // fp16 d, fp16 m + 4 + 16
    case .q8_0: return 34      // fp16 d + 32 int8
    case .q8_1: return 36      // fp16 d, fp16 s + 32 int8
    case .q2_K: return 84
    case .q3_K: return 110
    case .q4_K: return 144
    case .q5_K: return 176
    case .q6_K: return 210
    case .q8_K: return 292
    }
  }

  /// Storage bits per weight.
  public var bitsPerWeight: Double { Double(blockBytes * 8) / Double(blockSize) }

  public var isQuantized: Bool { blockSize > 1 }

  /// Bytes needed for a row of `count` elements, or nil when `count` is not a whole number of blocks.
  public func rowBytes(_ count: Int) -> Int? {
    guard count >= 0, count % blockSize == 0 else { return nil }
    let (b, o) = (count / blockSize).multipliedReportingOverflow(by: blockBytes)
    return o ? nil : b
  }

  /// The name ggml and llama.cpp use ("Q4_1", "F32", ...).
  public var description: String {
    switch self {
    case .f32: return "F32"
    case .f16: return "F16"
    case .bf16: return "BF16"
    case .q4_0: return "Q4_0"
    case .q4_1: return "Q4_1"
    case .q5_0: return "Q5_0"
    case .q5_1: return "Q5_1"
    case .q8_0: return "Q8_0"
    case .q8_1: return "Q8_1"
    case .q2_K: return "Q2_K"
    case .q3_K: return "Q3_K"
    case .q4_K: return "Q4_K"
    case .q5_K: return "Q5_K"
    case .q6_K: return "Q6_K"
    case .q8_K: return "Q8_K"
    }
  }

  /// Parse a ggml type name, case-insensitively ("q4_1", "Q8_0", "f16").
  public init?(name: String) {
    guard let t = GGMLType.allCases.first(where: { $0.description.lowercased() == name.lowercased() })
    else { return nil }
    self = t
  }
}
