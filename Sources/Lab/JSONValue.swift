// A JSON value and its canonical text: object keys sorted by UTF-8 bytes, round-trip numbers,
// non-finite numbers written as null (JSON has no NaN/Inf; see NumberFormat), UTF-8 output.
import Foundation

public enum JSONValue: Equatable, Sendable {
  case null
  case bool(Bool)
  case int(Int)           // exact integers (Lua integers); written as decimal digits
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  /// Numeric value when this is a number (int or double).
  public var doubleValue: Double? {
    switch self {
    case .int(let i): return Double(i)
    case .number(let d): return d
    default: return nil
    }
  }

  /// Text used in CSV cells, config ids and labels: numbers round-trip, strings raw, null empty,
  /// arrays/objects as compact canonical JSON.
  public var plainText: String {
    switch self {
    case .null: return ""
    case .bool(let b): return b ? "true" : "false"
    case .int(let i): return String(i)
    case .number(let d): return NumberFormat.roundTrip(d)
    case .string(let s): return s
    case .array, .object: return CanonicalJSON.string(self, pretty: false)
    }
  }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
  ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral {
  public init(stringLiteral v: String) { self = .string(v) }
  public init(integerLiteral v: Int) { self = .int(v) }
  public init(floatLiteral v: Double) { self = .number(v) }
  public init(booleanLiteral v: Bool) { self = .bool(v) }
  public init(arrayLiteral v: JSONValue...) { self = .array(v) }
  public init(dictionaryLiteral v: (String, JSONValue)...) {
    var d: [String: JSONValue] = [:]
    for (k, x) in v { d[k] = x }
    self = .object(d)
  }
  public init(nilLiteral: ()) { self = .null }
}

/// Byte order used everywhere keys are sorted (independent of locale and of Unicode normalisation).
@inline(__always) func utf8Less(_ a: String, _ b: String) -> Bool {
  a.utf8.lexicographicallyPrecedes(b.utf8)
}

public enum CanonicalJSON {
  /// Canonical text. `pretty` indents by two spaces and ends with a newline; compact has no spaces.
  public static func string(_ v: JSONValue, pretty: Bool) -> String {
    var out = ""
    write(v, into: &out, pretty: pretty, indent: 0)
    if pretty { out += "\n" }
    return out
  }

  public static func data(_ v: JSONValue, pretty: Bool) -> Data { Data(string(v, pretty: pretty).utf8) }

  static func write(_ v: JSONValue, into out: inout String, pretty: Bool, indent: Int) {
    switch v {
    case .null: out += "null"
    case .bool(let b): out += b ? "true" : "false"
    case .int(let i): out += String(i)
    case .number(let d): out += d.isFinite ? NumberFormat.roundTrip(d) : "null"
    case .string(let s): escape(s, into: &out)
    case .array(let a):
      if a.isEmpty { out += "[]"; return }
      out += "["
      for (i, x) in a.enumerated() {
        if i > 0 { out += "," }
        if pretty { newline(&out, indent + 1) }
        write(x, into: &out, pretty: pretty, indent: indent + 1)
      }
      if pretty { newline(&out, indent) }
      out += "]"
    case .object(let o):
      if o.isEmpty { out += "{}"; return }
      out += "{"
      for (i, k) in o.keys.sorted(by: utf8Less).enumerated() {
        if i > 0 { out += "," }
        if pretty { newline(&out, indent + 1) }
        escape(k, into: &out)
        out += pretty ? ": " : ":"
        write(o[k]!, into: &out, pretty: pretty, indent: indent + 1)
      }
      if pretty { newline(&out, indent) }
      out += "}"
    }
  }

  static func newline(_ out: inout String, _ indent: Int) {
    out += "\n" + String(repeating: "  ", count: indent)
  }

  /// JSON string escaping: quote, backslash and control characters; everything else raw UTF-8.
  public static func escape(_ s: String, into out: inout String) {
    out += "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case "\u{08}": out += "\\b"
      case "\u{0C}": out += "\\f"
      default:
        if u.value < 0x20 || u.value == 0x7F {
          let h = String(u.value, radix: 16)
          out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
        } else {
          out.unicodeScalars.append(u)
        }
      }
    }
    out += "\""
  }
}
