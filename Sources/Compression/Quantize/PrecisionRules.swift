// Per-tensor precision: ordered (regex on the GGUF tensor name → ggml type) rules, first match wins, else the
// default type. A type that cannot encode a tensor's row length falls back like llama.cpp does for k-quants
// (Q4_K→Q5_0, Q5_K→Q5_1, Q6_K→Q8_0, Q2_K/Q3_K→Q4_0 (llama.cpp uses IQ4_NL, which EdgeLab does not have)),
// and finally to F16. One-dimensional tensors (norms, biases) stay F32.
import Foundation
import LLM

public struct PrecisionRule: Codable, Sendable, Equatable {
  public var pattern: String
  public var type: GGMLType
  public init(_ pattern: String, _ type: GGMLType) { self.pattern = pattern; self.type = type }
}

public enum PrecisionRulesError: Error, CustomStringConvertible, Equatable {
  case badPattern(String)
  public var description: String {
    switch self { case let .badPattern(p): return "precision rule: invalid regular expression '\(p)'" }
  }
}

public struct PrecisionRules: Sendable {
  public let rules: [PrecisionRule]
  public let defaultType: GGMLType
  private let regexes: [NSRegularExpression]

  public init(_ rules: [PrecisionRule], default defaultType: GGMLType) throws {
    self.rules = rules; self.defaultType = defaultType
    regexes = try rules.map { r in
      do { return try NSRegularExpression(pattern: r.pattern) } catch { throw PrecisionRulesError.badPattern(r.pattern) }
    }
  }

  /// EdgeLab's default: embeddings and output head at 8 bits, everything else `linear` (default Q4_0).
  public static func standard(linear: GGMLType = .q4_0) -> PrecisionRules {
    try! PrecisionRules([PrecisionRule(#"^(token_embd|output)\.weight$"#, .q8_0)], default: linear)
  }

  /// The type requested for `name` before any fallback.
  public func requestedType(for name: String) -> GGMLType {
    let range = NSRange(name.startIndex..., in: name)
    for (i, re) in regexes.enumerated() where re.firstMatch(in: name, range: range) != nil { return rules[i].type }
    return defaultType
  }

  /// The type used for a tensor named `name` with rows of `cols` elements (`rank` 1 keeps F32).
  public func type(for name: String, cols: Int, rank: Int = 2) -> GGMLType {
    if rank < 2 { return .f32 }
    var t = requestedType(for: name)
    var seen = Set<GGMLType>()
    while t.rowBytes(cols) == nil, !seen.contains(t) {
      seen.insert(t)
      t = PrecisionRules.fallback(t)
    }
    return t.rowBytes(cols) == nil ? .f16 : t
  }

  public static func fallback(_ t: GGMLType) -> GGMLType {
    switch t {
    case .q4_K: return .q5_0
    case .q5_K: return .q5_1
    case .q6_K: return .q8_0
    case .q2_K, .q3_K: return .q4_0
    default: return .f16
    }
  }
}

/// Storage accounting of a quantized model or tensor set: per tensor the type requested by the rules, the type
/// actually written (after the row-length fallback) and the method applied.
public struct QuantReport: Codable, Sendable {
  public struct Entry: Codable, Sendable {
    public let name: String
    public let type: String
    public let rows: Int
    public let cols: Int
    public let bytes: Int
    /// The type the rules asked for (differs from `type` when the row length forced a fallback).
    public var requested: String
    /// "rtn", "gptq" or "gptq-actorder".
    public var method: String
    public var bitsPerWeight: Double { Double(bytes * 8) / Double(max(1, rows * cols)) }
  }
  public private(set) var entries: [Entry] = []
  public init() {}

  public mutating func add(name: String, type: GGMLType, requested: GGMLType? = nil, method: String = "rtn", rows: Int, cols: Int) {
    entries.append(Entry(name: name, type: type.description, rows: rows, cols: cols, bytes: rows * (type.rowBytes(cols) ?? 0),
                         requested: (requested ?? type).description, method: method))
  }
  /// Appends another report's entries (in order).
  public mutating func append(_ other: QuantReport) { entries += other.entries }
  public var totalBytes: Int { entries.reduce(0) { $0 + $1.bytes } }
  public var totalWeights: Int { entries.reduce(0) { $0 + $1.rows * $1.cols } }
  public var bitsPerWeight: Double { Double(totalBytes * 8) / Double(max(1, totalWeights)) }

  /// Tensors per written type, over all tensors (lowercase type names, as Lua spells them).
  public var typeCounts: [String: Int] { Dictionary(grouping: entries, by: { $0.type.lowercased() }).mapValues(\.count) }
  /// Tensors per "requested->written" pair where a fallback happened.
  public var fallbacks: [String: Int] {
    Dictionary(grouping: entries.filter { $0.type != $0.requested }, by: { "\($0.requested.lowercased())->\($0.type.lowercased())" })
      .mapValues(\.count)
  }
  /// Tensors per method actually applied.
  public var methodCounts: [String: Int] { Dictionary(grouping: entries, by: \.method).mapValues(\.count) }

  /// The block-layer ("blk.*") entries, or every entry when there are none.
  var linearEntries: [Entry] {
    let l = entries.filter { $0.name.hasPrefix("blk.") }
    return l.isEmpty ? entries : l
  }
  /// Types written for the linear layers, most tensors first, joined by "+" ("q4_k+q5_0").
  public var linearTypesLabel: String { Self.label(linearEntries.map { $0.type.lowercased() }) }
  /// A variant label naming what was done to the linear layers: methods then types ("gptq-actorder-q4_k+q5_0";
  /// "gptq+rtn-q2_k+q4_0" when GPTQ could not target some written types and those tensors were rounded).
  public var variantLabel: String { Self.label(linearEntries.map(\.method)) + "-" + linearTypesLabel }

  static func label(_ items: [String]) -> String {
    let counts = Dictionary(grouping: items, by: { $0 }).mapValues(\.count)
    return counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key).joined(separator: "+")
  }
}
