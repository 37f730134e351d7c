import CLua

// Conversions between the Lua stack and `LuaValue`. Only raw accessors are used (no metamethods), so a
// conversion never raises a Lua error from a Swift frame.
extension LuaState {
  /// Deepest table nesting converted (guards against cycles).
  public static let maxDepth = 100

  public static func typeName(_ L: OpaquePointer, _ i: Int32) -> String {
    String(cString: lua_typename(L, lua_type(L, i)))
  }

  /// The string at `i` (strings only; numbers are not converted, so the stack is never modified).
  public static func string(_ L: OpaquePointer, _ i: Int32) -> String? {
    guard lua_type(L, i) == LUA_TSTRING else { return nil }
    var len = 0
    guard let p = lua_tolstring(L, i, &len) else { return nil }
    return String(decoding: UnsafeRawBufferPointer(start: p, count: len), as: UTF8.self)
  }

  /// Pushes `v` onto `L`.
  public static func push(_ v: LuaValue, on L: OpaquePointer) {
    switch v {
    case .nil: lua_pushnil(L)
    case .boolean(let b): lua_pushboolean(L, b ? 1 : 0)
    case .integer(let i): lua_pushinteger(L, lua_Integer(i))
    case .number(let d): lua_pushnumber(L, d)
    case .string(let s): pushString(s, on: L)
    case .array(let a):
      lua_checkstack(L, 3)
      lua_createtable(L, Int32(clamping: a.count), 0)
      for (k, e) in a.enumerated() {
        push(e, on: L)
        lua_rawseti(L, -2, lua_Integer(k + 1))
      }
    case .table(let t):
      lua_checkstack(L, 3)
      lua_createtable(L, 0, Int32(clamping: t.count))
      for (k, e) in t {
        pushString(k, on: L)
        push(e, on: L)
        lua_rawset(L, -3)
      }
    case .ref(let r): r.push(L)
    }
  }

  public static func pushString(_ s: String, on L: OpaquePointer) {
    var s = s
    s.withUTF8 { b in
      b.withMemoryRebound(to: CChar.self) { c in _ = lua_pushlstring(L, c.baseAddress, c.count) }
    }
  }

  /// Converts the value at `i`. Tables must be sequences (keys 1...n) or records (string keys);
  /// functions/userdata/threads become registry references. A table that cannot be converted (holes,
  /// mixed keys, nesting deeper than `maxDepth`) throws an error naming the option it sits under
  /// ("option 'hidden': table is not a sequence …").
  public static func value(_ L: OpaquePointer, at i: Int32) throws -> LuaValue {
    try value(L, at: lua_absindex(L, i), path: [])
  }

  static func value(_ L: OpaquePointer, at i: Int32, path: [String]) throws -> LuaValue {
    switch lua_type(L, i) {
    case LUA_TNIL, LUA_TNONE: return .nil
    case LUA_TBOOLEAN: return .boolean(lua_toboolean(L, i) != 0)
    case LUA_TNUMBER:
      if lua_isinteger(L, i) != 0 { return .integer(Int(lua_tointegerx(L, i, nil))) }
      return .number(lua_tonumberx(L, i, nil))
    case LUA_TSTRING: return .string(string(L, i)!)
    case LUA_TTABLE: return try table(L, at: i, path: path)
    default:
      lua_pushvalue(L, i)
      return .ref(LuaState.owner(of: L).popRef(L))
    }
  }

  /// The conversion error for the table at `path` (keys from the argument down; empty for the argument).
  static func conversionError(_ message: String, path: [String]) -> LuaBridgeError {
    guard !path.isEmpty else { return .conversion(message) }
    // A deep (or cyclic) table would make a path of `maxDepth` keys: the first few name the option.
    let shown = path.count > 4 ? path.prefix(4).joined(separator: ".") + ".…" : path.joined(separator: ".")
    return .conversion("option '\(shown)': \(message)")
  }

  static func table(_ L: OpaquePointer, at i: Int32, path: [String]) throws -> LuaValue {
    guard path.count < maxDepth else {
      throw conversionError("table nested deeper than \(maxDepth) levels (cyclic?)", path: path)
    }
    guard lua_checkstack(L, 4) != 0 else { throw conversionError("Lua stack overflow", path: path) }
    var ints: [Int: LuaValue] = [:]
    var strs: [String: LuaValue] = [:]
    var maxInt = 0
    lua_pushnil(L)
    while lua_next(L, i) != 0 {
      // key at -2, value at -1; never lua_tostring the key (it would confuse lua_next).
      enum Key { case string(String), index(Int) }
      let key: Key
      switch lua_type(L, -2) {
      case LUA_TSTRING:
        key = .string(string(L, -2)!)
      case LUA_TNUMBER where lua_isinteger(L, -2) != 0 && lua_tointegerx(L, -2, nil) >= 1:
        key = .index(Int(lua_tointegerx(L, -2, nil)))
      default:
        let kt = typeName(L, -2)
        edgelab_pop(L, 2)
        throw conversionError("table has a \(kt) key; only string keys or a sequence 1..n are supported", path: path)
      }
      let v: LuaValue
      let childPath: [String]
      switch key {
      case .string(let k): childPath = path + [k]
      case .index(let k): childPath = path + [String(k)]
      }
      do { v = try value(L, at: lua_gettop(L), path: childPath) } catch { edgelab_pop(L, 2); throw error }
      switch key {
      case .string(let k): strs[k] = v
      case .index(let k):
        ints[k] = v
        maxInt = max(maxInt, k)
      }
      edgelab_pop(L, 1)
    }
    if !ints.isEmpty && !strs.isEmpty {
      throw conversionError("table mixes sequence and string keys", path: path)
    }
    if ints.isEmpty { return .table(strs) }
    guard maxInt == ints.count else {
      throw conversionError("table is not a sequence (integer keys with holes)", path: path)
    }
    return .array((1...maxInt).map { ints[$0]! })
  }
}
