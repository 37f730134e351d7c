// GGUF metadata values (GGUF v3 spec, ggml docs/gguf.md): 13 value types, arrays nest arbitrarily.

public enum GGUFValueType: UInt32, Sendable, CaseIterable {
  case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6, bool = 7
  case string = 8, array = 9, uint64 = 10, int64 = 11, float64 = 12

  /// Fixed byte size of a scalar of this type, nil for string/array.
  var fixedSize: Int? {
    switch self {
    case .uint8, .int8, .bool: return 1
    case .uint16, .int16: return 2
    case .uint32, .int32, .float32: return 4
    case .uint64, .int64, .float64: return 8
    case .string, .array: return nil
    }
  }
  /// The smallest encoding of one element (string = 8-byte length; array = 4-byte type + 8-byte count).
  var minSize: Int { fixedSize ?? (self == .string ? 8 : 12) }
}

public indirect enum GGUFValue: Equatable, Sendable, CustomStringConvertible {
  case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), uint32(UInt32), int32(Int32)
  case float32(Float), bool(Bool), string(String), uint64(UInt64), int64(Int64), float64(Double)
  /// An array: element type plus elements (all of that type; nested arrays are allowed by the spec).
  case array(GGUFValueType, [GGUFValue])

  public var type: GGUFValueType {
    switch self {
    case .uint8: return .uint8
    case .int8: return .int8
    case .uint16: return .uint16
    case .int16: return .int16
    case .uint32: return .uint32
    case .int32: return .int32
    case .float32: return .float32
    case .bool: return .bool
    case .string: return .string
    case .array: return .array
    case .uint64: return .uint64
    case .int64: return .int64
    case .float64: return .float64
    }
  }

  /// Integer value of any integer-typed scalar (or bool), nil otherwise or when it does not fit Int.
  public var int: Int? {
    switch self {
    case let .uint8(v): return Int(v)
    case let .int8(v): return Int(v)
    case let .uint16(v): return Int(v)
    case let .int16(v): return Int(v)
    case let .uint32(v): return Int(v)
    case let .int32(v): return Int(v)
    case let .uint64(v): return v <= UInt64(Int.max) ? Int(v) : nil
    case let .int64(v): return Int(v)
    case let .bool(v): return v ? 1 : 0
    default: return nil
    }
  }

  /// Floating value of any numeric scalar.
  public var double: Double? {
    switch self {
    case let .float32(v): return Double(v)
    case let .float64(v): return v
    default: return int.map(Double.init)
    }
  }

  public var string: String? { if case let .string(s) = self { return s }; return nil }
  public var bool: Bool? { if case let .bool(b) = self { return b }; return nil }
  public var array: [GGUFValue]? { if case let .array(_, a) = self { return a }; return nil }

  /// A scalar integer or an integer array (llama.cpp's get_key_or_arr: per-layer sizes of pruned models).
  public var intArray: [Int]? {
    if let a = array {
      var out = [Int](); out.reserveCapacity(a.count)
      for v in a { guard let i = v.int else { return nil }; out.append(i) }
      return out
    }
    return int.map { [$0] }
  }

  public var stringArray: [String]? {
    guard let a = array else { return nil }
    var out = [String](); out.reserveCapacity(a.count)
    for v in a { guard let s = v.string else { return nil }; out.append(s) }
    return out
  }

  public var description: String {
    switch self {
    case let .string(s): return s.count > 60 ? "\"\(s.prefix(60))…\"" : "\"\(s)\""
    case let .array(t, a):
      let head = a.prefix(4).map(\.description).joined(separator: ", ")
      return "[\(t) × \(a.count)\(a.isEmpty ? "" : ": " + head + (a.count > 4 ? ", …" : ""))]"
    case let .bool(b): return "\(b)"
    case let .float32(v): return "\(v)"
    case let .float64(v): return "\(v)"
    default: return "\(int!)"
    }
  }
}
