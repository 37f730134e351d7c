/// Encodes an `Encodable` Swift value as a `LuaValue` (records → `.table`, sequences → `.array`), e.g. to
/// return a result struct to Lua as a table, or to lay an options table over defaults. Record keys are
/// snake_case (`LuaKeyStyle`); dictionary keys are data and kept as they are.
public struct LuaEncoder {
  public init() {}

  public func encode<T: Encodable>(_ value: T) throws -> LuaValue {
    if let v = value as? LuaValue { return v }
    let slot = Slot()
    try value.encode(to: _LuaEncoder(slot: slot, path: []))
    return slot.resolve()
  }
}

/// A node of the value being built (containers share it by reference).
final class Slot {
  var value: LuaValue = .nil
  var keyed: [String: Slot]?
  var unkeyed: [Slot]?

  func resolve() -> LuaValue {
    if let k = keyed {
      var t: [String: LuaValue] = [:]
      for (key, s) in k { let v = s.resolve(); if !v.isNil { t[key] = v } }
      return .table(t)
    }
    if let u = unkeyed { return .array(u.map { $0.resolve() }) }
    return value
  }

  /// Encodes a primitive directly, anything else through a nested encoder.
  func set<T: Encodable>(_ v: T, path: [CodingKey]) throws {
    switch v {
    case let x as LuaValue: value = x
    case let x as Bool: value = .boolean(x)
    case let x as String: value = .string(x)
    case let x as Double: value = .number(x)
    case let x as Float: value = .number(Double(x))
    case let x as any FixedWidthInteger:
      if let i = Int(exactly: x) { value = .integer(i) } else { value = .number(Double(x)) }
    default: try v.encode(to: _LuaEncoder(slot: self, path: path))
    }
  }
}

struct _LuaEncoder: Encoder {
  let slot: Slot
  let path: [CodingKey]
  var codingPath: [CodingKey] { path }
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
    if slot.keyed == nil { slot.keyed = [:] }
    return KeyedEncodingContainer(KeyedEnc<Key>(slot: slot, path: path))
  }
  func unkeyedContainer() -> UnkeyedEncodingContainer {
    if slot.unkeyed == nil { slot.unkeyed = [] }
    return UnkeyedEnc(slot: slot, path: path)
  }
  func singleValueContainer() -> SingleValueEncodingContainer { SingleEnc(slot: slot, path: path) }
}

struct KeyedEnc<Key: CodingKey>: KeyedEncodingContainerProtocol {
  let slot: Slot
  let path: [CodingKey]
  var codingPath: [CodingKey] { path }

  func child(_ key: Key) -> Slot {
    let s = Slot()
    slot.keyed![LuaKeyStyle.luaName(key)] = s
    return s
  }
  mutating func encodeNil(forKey key: Key) throws { _ = child(key) }
  mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try child(key).set(value, path: path + [key]) }
  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
    _LuaEncoder(slot: child(key), path: path + [key]).container(keyedBy: keyType)
  }
  mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
    _LuaEncoder(slot: child(key), path: path + [key]).unkeyedContainer()
  }
  mutating func superEncoder() -> Encoder { _LuaEncoder(slot: slot, path: path) }
  mutating func superEncoder(forKey key: Key) -> Encoder { _LuaEncoder(slot: child(key), path: path + [key]) }
}

struct UnkeyedEnc: UnkeyedEncodingContainer {
  let slot: Slot
  let path: [CodingKey]
  var codingPath: [CodingKey] { path }
  var count: Int { slot.unkeyed!.count }

  func next() -> Slot {
    let s = Slot()
    slot.unkeyed!.append(s)
    return s
  }
  mutating func encodeNil() throws { _ = next() }
  mutating func encode<T: Encodable>(_ value: T) throws { try next().set(value, path: path + [LuaIndexKey(count)]) }
  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
    _LuaEncoder(slot: next(), path: path).container(keyedBy: keyType)
  }
  mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer { _LuaEncoder(slot: next(), path: path).unkeyedContainer() }
  mutating func superEncoder() -> Encoder { _LuaEncoder(slot: next(), path: path) }
}

struct SingleEnc: SingleValueEncodingContainer {
  let slot: Slot
  let path: [CodingKey]
  var codingPath: [CodingKey] { path }
  mutating func encodeNil() throws { slot.value = .nil }
  mutating func encode<T: Encodable>(_ value: T) throws { try slot.set(value, path: path) }
}

extension LuaValue: Codable {
  /// Generic decoding (from any Decoder): LuaDecoder short-circuits and returns the value itself.
  public init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    if c.decodeNil() { self = .nil }
    else if let b = try? c.decode(Bool.self) { self = .boolean(b) }
    else if let i = try? c.decode(Int.self) { self = .integer(i) }
    else if let d = try? c.decode(Double.self) { self = .number(d) }
    else if let s = try? c.decode(String.self) { self = .string(s) }
    else if let a = try? c.decode([LuaValue].self) { self = .array(a) }
    else { self = .table(try c.decode([String: LuaValue].self)) }
  }
  public func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    switch self {
    case .nil: try c.encodeNil()
    case .boolean(let b): try c.encode(b)
    case .integer(let i): try c.encode(i)
    case .number(let d): try c.encode(d)
    case .string(let s): try c.encode(s)
    case .array(let a): try c.encode(a)
    case .table(let t): try c.encode(t)
    case .ref(let r): try c.encode("<\(r.typeName)>")
    }
  }
}
