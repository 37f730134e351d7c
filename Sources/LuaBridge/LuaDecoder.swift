import Foundation

/// Decodes a `LuaValue` (usually an options table) into a `Decodable` Swift type, strictly:
/// - an unknown key anywhere is an error naming it ("unknown option 'stpes' (valid: seed, steps)");
/// - a wrong type names the option, what was expected and what was given;
/// - integers accept integral floats (3.0), floats accept integers; strings are never numbers.
/// `decode(from:defaults:)` starts from a default value, so the table only lists what it changes.
/// Keys are snake_case (see `LuaKeyStyle`): Swift's `itemsPerTask` is `items_per_task` in Lua; the camelCase
/// spelling is still accepted for one release, with a deprecation message naming the new key.
public struct LuaDecoder {
  public init() {}

  public func decode<T: Decodable>(_ type: T.Type, from value: LuaValue) throws -> T {
    let tracker = KeyTracker()
    let result = try LuaDecoder.wrap { try T(from: _LuaDecoder(value: value, path: [], tracker: tracker)) }
    try tracker.checkUnknown(value, path: [])
    return result
  }

  /// Decodes `value` laid over `defaults` (records merge key by key, recursively; other values replace).
  public func decode<T: Codable>(from value: LuaValue, defaults: T) throws -> T {
    try decode(T.self, from: value, encodedDefaults: try LuaEncoder().encode(defaults))  // snake_case keys
  }

  /// `decode(from:defaults:)` with the defaults already encoded (`LuaEncoder().encode(defaults)`), for a
  /// caller that decodes many tables over the same defaults (the lua-options fuzz target).
  public func decode<T: Decodable>(_ type: T.Type, from value: LuaValue, encodedDefaults base: LuaValue) throws -> T {
    let merged = LuaDecoder.merge(base, value)
    let tracker = KeyTracker()
    let result = try LuaDecoder.wrap { try T(from: _LuaDecoder(value: merged, path: [], tracker: tracker)) }
    try tracker.checkUnknown(value, path: [])
    return result
  }

  /// Every option key `T` reads, as Lua spells it, and the default of each key that has one (optional fields
  /// default to nil and are absent from `defaults`). For the stub consistency check and error messages.
  public func optionKeys<T: Codable>(defaults: T) throws -> (keys: [String], defaults: [String: LuaValue]) {
    let base = try LuaEncoder().encode(defaults)
    let tracker = KeyTracker()
    _ = try LuaDecoder.wrap { try T(from: _LuaDecoder(value: base, path: [], tracker: tracker)) }
    guard case .table(let t) = base else { return ([], [:]) }
    return ((tracker.accessed[""] ?? []).sorted(), t)
  }

  static func merge(_ base: LuaValue, _ over: LuaValue) -> LuaValue {
    guard case .table(var b) = base, case .table(let o) = over else { return over }
    for (k, v) in o {
      // A deprecated camelCase key lays over the snake_case default it names.
      let key = b[k] == nil && LuaKeyStyle.isCamelCase(k) && b[LuaKeyStyle.snakeCase(k)] != nil ? LuaKeyStyle.snakeCase(k) : k
      b[key] = b[key].map { merge($0, v) } ?? v
    }
    return .table(b)
  }

  /// Turns Swift's DecodingError (from custom init(from:)) into a readable option error.
  static func wrap<R>(_ body: () throws -> R) throws -> R {
    do { return try body() } catch let e as DecodingError {
      switch e {
      case .dataCorrupted(let c), .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c):
        let p = pathString(c.codingPath)
        throw LuaBridgeError.option(p.isEmpty ? c.debugDescription : "option '\(p)': \(c.debugDescription)")
      @unknown default: throw LuaBridgeError.option("\(e)")
      }
    }
  }

  static func pathString(_ path: [CodingKey]) -> String {
    path.map { $0 is LuaIndexKey ? $0.stringValue : ($0.intValue.map { String($0 + 1) } ?? LuaKeyStyle.luaName($0)) }
      .joined(separator: ".")
  }
}

/// Which keys of which tables the decoded type asked for; whatever else the user wrote is unknown.
final class KeyTracker {
  var accessed: [String: Set<String>] = [:]

  /// Registers the table at `path` as read key by key; returns its path string, the key of `touch`.
  func opened(_ path: [CodingKey]) -> String {
    let p = LuaDecoder.pathString(path)
    if accessed[p] == nil { accessed[p] = [] }
    return p
  }
  func touch(_ pathString: String, _ key: String) { accessed[pathString, default: []].insert(key) }

  func checkUnknown(_ v: LuaValue, path: [String]) throws {
    switch v {
    case .table(let t):
      let p = path.joined(separator: ".")
      // A table never opened as a keyed container was consumed whole (dictionary, LuaValue, ...).
      guard let known = accessed[p] else { return }
      for k in t.keys.sorted() {
        var name = k
        if !known.contains(k) {
          let snake = LuaKeyStyle.snakeCase(k)
          guard snake != k, LuaKeyStyle.isCamelCase(k), known.contains(snake) else {
            let full = (path + [k]).joined(separator: ".")
            let valid = known.sorted().joined(separator: ", ")
            throw LuaBridgeError.option("unknown option '\(full)'" + (valid.isEmpty ? "" : " (valid: \(valid))"))
          }
          LuaKeyStyle.deprecationHandler(
            "option '\((path + [k]).joined(separator: "."))' is deprecated: use '\((path + [snake]).joined(separator: "."))'")
          name = snake
        }
        try checkUnknown(t[k]!, path: path + [name])
      }
    case .array(let a):
      for (i, e) in a.enumerated() { try checkUnknown(e, path: path + [String(i + 1)]) }
    default: return
    }
  }
}

struct LuaIndexKey: CodingKey {
  let intValue: Int?
  var stringValue: String { String(intValue! + 1) }
  init(_ i: Int) { intValue = i }
  init?(stringValue: String) { return nil }
  init?(intValue: Int) { self.intValue = intValue }
}

struct _LuaDecoder: Decoder {
  let value: LuaValue
  let path: [CodingKey]
  let tracker: KeyTracker
  var codingPath: [CodingKey] { path }
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
    guard case .table(let t) = value else { throw mismatch(value, "table", path) }
    let opened = tracker.opened(path)
    return KeyedDecodingContainer(KeyedLua<Key>(table: t, path: path, pathString: opened, tracker: tracker))
  }
  func unkeyedContainer() throws -> UnkeyedDecodingContainer {
    guard let a = value.arrayValue else { throw mismatch(value, "array", path) }
    return UnkeyedLua(items: a, path: path, tracker: tracker)
  }
  func singleValueContainer() throws -> SingleValueDecodingContainer { SingleLua(value: value, path: path, tracker: tracker) }
}

func mismatch(_ v: LuaValue, _ expected: String, _ path: [CodingKey]) -> LuaBridgeError {
  let p = LuaDecoder.pathString(path)
  var got = v.kindName
  if case .string(let s) = v { got += " \(LuaValue.quote(String(s.prefix(40))))" }
  if case .number(let d) = v, expected == "integer" { got = "non-integer number \(LuaValue.formatNumber(d))" }
  return .option((p.isEmpty ? "" : "option '\(p)': ") + "\(expected) expected, got \(got)")
}

/// Decodes a primitive or nested value; shared by the three container kinds.
func decodeLua<T: Decodable>(_ type: T.Type, _ v: LuaValue, _ path: [CodingKey], _ tracker: KeyTracker) throws -> T {
  if T.self == LuaValue.self { return v as! T }
  if T.self == Bool.self { guard case .boolean(let b) = v else { throw mismatch(v, "boolean", path) }; return b as! T }
  if T.self == String.self { guard case .string(let s) = v else { throw mismatch(v, "string", path) }; return s as! T }
  if T.self == Double.self { guard let d = v.doubleValue else { throw mismatch(v, "number", path) }; return d as! T }
  if T.self == Float.self { guard let d = v.doubleValue else { throw mismatch(v, "number", path) }; return Float(d) as! T }
  if let intType = T.self as? any FixedWidthInteger.Type {
    guard let i = v.intValue else { throw mismatch(v, "integer", path) }
    guard let r = intType.init(exactly: i) else {
      throw LuaBridgeError.option("option '\(LuaDecoder.pathString(path))': \(i) out of range for \(intType)")
    }
    return r as! T
  }
  return try T(from: _LuaDecoder(value: v, path: path, tracker: tracker))
}

struct KeyedLua<Key: CodingKey>: KeyedDecodingContainerProtocol {
  let table: [String: LuaValue]
  let path: [CodingKey]
  /// `LuaDecoder.pathString(path)`, made once per table rather than once per key read.
  let pathString: String
  let tracker: KeyTracker
  var codingPath: [CodingKey] { path }
  var allKeys: [Key] {
    table.keys.sorted().compactMap { k in tracker.touch(pathString, k); return Key(stringValue: k) }
  }

  /// The table key holding `key`: its snake_case name, else (deprecated) the Swift spelling. Dictionary keys
  /// are data and used as they are.
  func lookup(_ key: Key) -> String {
    let name = LuaKeyStyle.luaName(key)
    tracker.touch(pathString, name)
    if table[name] == nil, name != key.stringValue, table[key.stringValue] != nil { return key.stringValue }
    return name
  }
  func contains(_ key: Key) -> Bool { table[lookup(key)] != nil }
  func get(_ key: Key) throws -> LuaValue {
    guard let v = table[lookup(key)] else {
      let p = LuaDecoder.pathString(path + [key])
      throw LuaBridgeError.option("missing option '\(p)'")
    }
    return v
  }
  func decodeNil(forKey key: Key) throws -> Bool { table[lookup(key)] == nil }
  func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
    try decodeLua(type, try get(key), path + [key], tracker)
  }
  func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
    try _LuaDecoder(value: try get(key), path: path + [key], tracker: tracker).container(keyedBy: type)
  }
  func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer {
    try _LuaDecoder(value: try get(key), path: path + [key], tracker: tracker).unkeyedContainer()
  }
  func superDecoder() throws -> Decoder { _LuaDecoder(value: .table(table), path: path, tracker: tracker) }
  func superDecoder(forKey key: Key) throws -> Decoder {
    _LuaDecoder(value: table[lookup(key)] ?? .nil, path: path + [key], tracker: tracker)
  }
}

struct UnkeyedLua: UnkeyedDecodingContainer {
  let items: [LuaValue]
  let path: [CodingKey]
  let tracker: KeyTracker
  var currentIndex = 0
  var codingPath: [CodingKey] { path }
  var count: Int? { items.count }
  var isAtEnd: Bool { currentIndex >= items.count }

  mutating func next() throws -> (LuaValue, [CodingKey]) {
    guard !isAtEnd else { throw LuaBridgeError.option("option '\(LuaDecoder.pathString(path))': too few elements") }
    defer { currentIndex += 1 }
    return (items[currentIndex], path + [LuaIndexKey(currentIndex)])
  }
  mutating func decodeNil() throws -> Bool {
    if !isAtEnd, items[currentIndex].isNil { currentIndex += 1; return true }
    return false
  }
  mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
    let (v, p) = try next()
    return try decodeLua(type, v, p, tracker)
  }
  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
    let (v, p) = try next()
    return try _LuaDecoder(value: v, path: p, tracker: tracker).container(keyedBy: type)
  }
  mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer {
    let (v, p) = try next()
    return try _LuaDecoder(value: v, path: p, tracker: tracker).unkeyedContainer()
  }
  mutating func superDecoder() throws -> Decoder {
    let (v, p) = try next()
    return _LuaDecoder(value: v, path: p, tracker: tracker)
  }
}

struct SingleLua: SingleValueDecodingContainer {
  let value: LuaValue
  let path: [CodingKey]
  let tracker: KeyTracker
  var codingPath: [CodingKey] { path }
  func decodeNil() -> Bool { value.isNil }
  func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeLua(type, value, path, tracker) }
}
