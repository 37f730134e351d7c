// Typed errors for GGUF parsing: each names the problem and where it was found.

public enum GGUFError: Error, CustomStringConvertible, Equatable {
  case badMagic
  case unsupportedVersion(UInt32)
  case truncated(what: String, offset: Int, need: Int, fileSize: Int)
  case invalidValueType(UInt32, key: String)
  case invalidString(key: String)
  case tooDeep(key: String)
  case implausibleCount(what: String, count: UInt64)
  case duplicateKey(String)
  case duplicateTensor(String)
  case badAlignment(Int)
  case unknownTensorType(UInt32, tensor: String)
  case badDimensions(tensor: String, dims: [UInt64])
  case misalignedTensor(tensor: String, offset: UInt64, alignment: Int)
  case tensorOutOfBounds(tensor: String, offset: UInt64, size: Int, dataSize: Int)
  case tensorOverlap(String, String)
  case missingTensor(String)
  case missingKey(String)
  case wrongKeyType(key: String, expected: String)
  case invalidTensor(String, reason: String)

  public var description: String {
    switch self {
    case .badMagic: return "not a GGUF file (magic bytes are not 'GGUF')"
    case let .unsupportedVersion(v): return "unsupported GGUF version \(v) (supported: 2, 3)"
    case let .truncated(w, o, n, s):
      return "GGUF truncated: \(w) needs \(n) bytes at offset \(o), file has \(s)"
    case let .invalidValueType(t, k): return "invalid metadata value type \(t) for key '\(k)'"
    case let .invalidString(k): return "metadata string for '\(k)' is not valid UTF-8"
    case let .tooDeep(k): return "metadata array nesting too deep at key '\(k)'"
    case let .implausibleCount(w, c): return "implausible \(w) count \(c) (larger than the file allows)"
    case let .duplicateKey(k): return "duplicate metadata key '\(k)'"
    case let .duplicateTensor(n): return "duplicate tensor name '\(n)'"
    case let .badAlignment(a): return "general.alignment \(a) is not a positive power of two"
    case let .unknownTensorType(t, n): return "tensor '\(n)' has unknown ggml type id \(t)"
    case let .badDimensions(n, d): return "tensor '\(n)' has invalid dimensions \(d)"
    case let .misalignedTensor(n, o, a): return "tensor '\(n)' data offset \(o) is not a multiple of alignment \(a)"
    case let .tensorOutOfBounds(n, o, s, d):
      return "tensor '\(n)' data [\(o), \(o) + \(s)) lies outside the data section of \(d) bytes"
    case let .tensorOverlap(a, b): return "tensors '\(a)' and '\(b)' overlap in the data section"
    case let .missingTensor(n): return "tensor '\(n)' not found"
    case let .missingKey(k): return "metadata key '\(k)' not found"
    case let .wrongKeyType(k, e): return "metadata key '\(k)' should be \(e)"
    case let .invalidTensor(n, r): return "tensor '\(n)': \(r)"
    }
  }
}
