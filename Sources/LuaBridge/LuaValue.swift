import Foundation
// A Lua value as plain Swift data. Tables become `.array` (keys exactly 1...n) or `.table` (string keys);
// functions, userdata and threads are held by registry reference (`.ref`), so they stay alive while Swift
// holds them.

/// A Lua value converted to Swift. Integers and floats stay distinct as in Lua 5.4.
public enum LuaValue: Equatable, CustomStringConvertible {
  case `nil`
  case boolean(Bool)
  case integer(Int)
  case number(Double)
  case string(String)
  /// A sequence: a table whose keys are exactly 1...n.
  case array([LuaValue])
  /// A record: a table whose keys are all strings. The empty table converts to `.table([:])`.
  case table([String: LuaValue])
  /// A function, userdata or thread, anchored in the registry.
  case ref(LuaRef)

  /// Lua's type name for this value ("nil", "boolean", "number", "string", "table", "function", ...).
  public var typeName: String {
    switch self {
    case .nil: return "nil"
    case .boolean: return "boolean"
    case .integer, .number: return "number"
    case .string: return "string"
    case .array, .table: return "table"
    case .ref(let r): return r.typeName
    }
  }

  /// A more specific name for error messages: distinguishes integer/float, array/record.
  public var kindName: String {
    switch self {
    case .integer: return "integer"
    case .number: return "number"
    case .array: return "array"
    default: return typeName
    }
  }

  public var isNil: Bool { if case .nil = self { return true } else { return false } }

  /// The numeric value of an integer or a float.
  public var doubleValue: Double? {
    switch self {
    case .integer(let i): return Double(i)
    case .number(let d): return d
    default: return nil
    }
  }
  /// The value of an integer, or of a float with an exact integer representation (as lua_tointeger).
  public var intValue: Int? {
    switch self {
    case .integer(let i): return i
    case .number(let d):
      guard d.rounded() == d, d >= -9.223372036854775808e18, d < 9.223372036854775808e18 else { return nil }
      return Int(d)
    default: return nil
    }
  }
  public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
  public var boolValue: Bool? { if case .boolean(let b) = self { return b } else { return nil } }
  /// Elements of a sequence; the empty record counts as the empty sequence.
  public var arrayValue: [LuaValue]? {
    switch self {
    case .array(let a): return a
    case .table(let t) where t.isEmpty: return []
    default: return nil
    }
  }
  /// Fields of a record; the empty sequence never occurs (empty tables are `.table([:])`).
  public var tableValue: [String: LuaValue]? { if case .table(let t) = self { return t } else { return nil } }

  public subscript(key: String) -> LuaValue {
    if case .table(let t) = self { return t[key] ?? .nil }
    return .nil
  }
  public subscript(index: Int) -> LuaValue {
    if case .array(let a) = self, index >= 1, index <= a.count { return a[index - 1] }
    return .nil
  }

  /// Lua-like rendering, keys sorted (deterministic). Floats use %.14g as Lua does.
  public var description: String {
    switch self {
    case .nil: return "nil"
    case .boolean(let b): return b ? "true" : "false"
    case .integer(let i): return String(i)
    case .number(let d): return LuaValue.formatNumber(d)
    case .string(let s): return s
    case .array(let a): return "{" + a.map { $0.literal }.joined(separator: ", ") + "}"
    case .table(let t):
      return "{" + t.keys.sorted().map { k in "\(LuaValue.keyLiteral(k)) = \(t[k]!.literal)" }
        .joined(separator: ", ") + "}"
    case .ref(let r): return "\(r.typeName): ref \(r.ref)"
    }
  }

  /// A Lua source literal (strings quoted), for nested rendering.
  public var literal: String {
    if case .string(let s) = self { return LuaValue.quote(s) }
    return description
  }

  /// Lua's own float formatting ("%.14g", and "1.0" rather than "1" for integral floats).
  public static func formatNumber(_ d: Double) -> String {
    if d.isNaN { return d.sign == .minus ? "-nan" : "nan" }
    if d.isInfinite { return d < 0 ? "-inf" : "inf" }
    var s = String(format: "%.14g", d)
    if !s.contains(where: { $0 == "." || $0 == "e" || $0 == "n" || $0 == "i" }) { s += ".0" }
    return s
  }

  static func quote(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case "\r": out += "\\r"
      default:
        if u.value < 32 || u.value == 127 { out += "\\\(u.value)" } else { out.unicodeScalars.append(u) }
      }
    }
    return out + "\""
  }

  static func keyLiteral(_ k: String) -> String {
    let ok = k.utf8.enumerated().allSatisfy { i, c in
      c == UInt8(ascii: "_") || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (i > 0 && c >= 48 && c <= 57)
    }
    return (ok && !k.isEmpty) ? k : "[\(quote(k))]"
  }
}

extension LuaValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
  ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
  ExpressibleByDictionaryLiteral {
  public init(nilLiteral: ()) { self = .nil }
  public init(booleanLiteral value: Bool) { self = .boolean(value) }
  public init(integerLiteral value: Int) { self = .integer(value) }
  public init(floatLiteral value: Double) { self = .number(value) }
  public init(stringLiteral value: String) { self = .string(value) }
  public init(arrayLiteral elements: LuaValue...) { self = .array(elements) }
  public init(dictionaryLiteral elements: (String, LuaValue)...) {
    self = .table(Dictionary(elements, uniquingKeysWith: { _, b in b }))
  }
}
