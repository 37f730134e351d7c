import CLua
import Foundation

/// The arguments and results of one Lua→Swift call. Argument checks throw lauxlib-style messages
/// ("bad argument #2 to 'f' (number expected, got string)"); they never raise a Lua error themselves.
public struct LuaCall {
  public let L: OpaquePointer
  unowned(unsafe) let box: LuaClosure.Box

  init(L: OpaquePointer, box: LuaClosure.Box) {
    self.L = L
    self.box = box
  }

  /// The function's name as used in error messages.
  public var name: String { box.name }
  public var state: LuaState { LuaState.owner(of: L) }
  /// Number of arguments (including `self` for methods).
  public var count: Int32 { lua_gettop(L) }
  /// Stack index of the caller's k-th extra upvalue (k = 1...).
  public func upvalueIndex(_ k: Int32) -> Int32 { edgelab_upvalueindex(k + 2) }

  // MARK: Errors

  /// A lauxlib-style bad-argument error for stack index `i` (numbered without `self` for methods).
  public func argumentError(_ i: Int32, _ message: String) -> LuaBridgeError {
    .badArgument(index: Int(i - box.argOffset), function: name, message: message)
  }
  public func typeError(_ i: Int32, expected: String) -> LuaBridgeError {
    argumentError(i, "\(expected) expected, got \(typeName(i))")
  }
  public func typeName(_ i: Int32) -> String {
    if lua_type(L, i) == LUA_TNONE { return "no value" }
    let t = luaL_getmetafield(L, i, "__name")
    if t != LUA_TNIL {
      defer { edgelab_pop(L, 1) }
      if t == LUA_TSTRING, let n = LuaState.string(L, -1) { return n }
    }
    return LuaState.typeName(L, i)
  }

  // MARK: Arguments

  public func isNoneOrNil(_ i: Int32) -> Bool { edgelab_isnoneornil(L, i) != 0 }

  public func number(_ i: Int32) throws -> Double {
    var ok: Int32 = 0
    let d = lua_tonumberx(L, i, &ok)
    guard ok != 0 else { throw typeError(i, expected: "number") }
    return d
  }

  public func integer(_ i: Int32) throws -> Int {
    var ok: Int32 = 0
    let n = lua_tointegerx(L, i, &ok)
    if ok != 0 { return Int(n) }
    if lua_type(L, i) == LUA_TNUMBER { throw argumentError(i, "number has no integer representation") }
    throw typeError(i, expected: "number")
  }

  public func string(_ i: Int32) throws -> String {
    let t = lua_type(L, i)
    guard t == LUA_TSTRING || t == LUA_TNUMBER else { throw typeError(i, expected: "string") }
    if t == LUA_TNUMBER {
      return lua_isinteger(L, i) != 0 ? String(lua_tointegerx(L, i, nil)) : LuaValue.formatNumber(lua_tonumberx(L, i, nil))
    }
    return LuaState.string(L, i)!
  }

  public func boolean(_ i: Int32) throws -> Bool {
    guard lua_type(L, i) == LUA_TBOOLEAN else { throw typeError(i, expected: "boolean") }
    return lua_toboolean(L, i) != 0
  }

  public func optNumber(_ i: Int32, _ def: Double) throws -> Double { isNoneOrNil(i) ? def : try number(i) }
  public func optInteger(_ i: Int32, _ def: Int) throws -> Int { isNoneOrNil(i) ? def : try integer(i) }
  public func optString(_ i: Int32, _ def: String) throws -> String { isNoneOrNil(i) ? def : try string(i) }
  public func optBoolean(_ i: Int32, _ def: Bool) throws -> Bool { isNoneOrNil(i) ? def : try boolean(i) }

  /// Any value converted to `LuaValue` (conversion problems become bad-argument errors).
  public func value(_ i: Int32) throws -> LuaValue {
    do { return try LuaState.value(L, at: i) } catch let e as LuaBridgeError {
      throw argumentError(i, e.description)
    }
  }

  /// A table converted to `LuaValue` (`.array` or `.table`).
  public func table(_ i: Int32) throws -> LuaValue {
    guard lua_type(L, i) == LUA_TTABLE else { throw typeError(i, expected: "table") }
    return try value(i)
  }

  /// A sequence of numbers.
  public func numbers(_ i: Int32) throws -> [Double] {
    guard let a = try table(i).arrayValue else { throw argumentError(i, "array of numbers expected") }
    return try a.enumerated().map { k, v in
      guard let d = v.doubleValue else { throw argumentError(i, "element \(k + 1): number expected, got \(v.typeName)") }
      return d
    }
  }

  /// An optional array of booleans (e.g. an action mask): nil when the argument is absent or nil.
  public func optBooleans(_ i: Int32) throws -> [Bool]? {
    if isNoneOrNil(i) { return nil }
    guard let a = try value(i).arrayValue else { throw argumentError(i, "array of booleans expected") }
    return try a.enumerated().map { k, v in
      guard let b = v.boolValue else { throw argumentError(i, "element \(k + 1): boolean expected, got \(v.typeName)") }
      return b
    }
  }

  public func function(_ i: Int32) throws -> LuaFunction {
    guard lua_type(L, i) == LUA_TFUNCTION else { throw typeError(i, expected: "function") }
    lua_pushvalue(L, i)
    return LuaFunction(ref: state.popRef(L))
  }

  /// Decodes an options table into `T`, rejecting unknown keys and wrong types. Absent or nil argument
  /// decodes from the empty table (so `T`'s defaults apply). See `LuaDecoder`.
  public func decode<T: Decodable>(_ type: T.Type, _ i: Int32) throws -> T {
    let v: LuaValue = isNoneOrNil(i) ? .table([:]) : try table(i)
    do { return try LuaDecoder().decode(type, from: v) } catch let e as LuaBridgeError {
      throw argumentError(i, e.description)
    }
  }

  /// Like `decode` but starting from `defaults`: keys the table leaves out keep their default values.
  public func decode<T: Codable>(_ i: Int32, defaults: T) throws -> T {
    let v: LuaValue = isNoneOrNil(i) ? .table([:]) : try table(i)
    do { return try LuaDecoder().decode(from: v, defaults: defaults) } catch let e as LuaBridgeError {
      throw argumentError(i, e.description)
    }
  }

  /// The Swift object in userdata of class `cls` at `i`.
  public func object<T>(_ i: Int32, _ cls: LuaClass<T>) throws -> T {
    guard let o = cls.object(L, at: i) else {
      if luaL_testudata(L, i, cls.name) != nil { throw argumentError(i, "\(cls.name) used after close") }
      throw typeError(i, expected: cls.name)
    }
    return o
  }

  // MARK: Results

  public func push(_ v: LuaValue) { lua_checkstack(L, 1); LuaState.push(v, on: L) }
  public func push(_ d: Double) { lua_checkstack(L, 1); lua_pushnumber(L, d) }
  public func push(_ n: Int) { lua_checkstack(L, 1); lua_pushinteger(L, lua_Integer(n)) }
  public func push(_ s: String) { lua_checkstack(L, 1); LuaState.pushString(s, on: L) }
  public func push(_ b: Bool) { lua_checkstack(L, 1); lua_pushboolean(L, b ? 1 : 0) }
  public func pushNil() { lua_checkstack(L, 1); lua_pushnil(L) }
  /// Pushes an `Encodable` value as a table (see `LuaEncoder`).
  public func push<T: Encodable>(encoding v: T) throws { push(try LuaEncoder().encode(v)) }
  /// Pushes `object` as userdata of class `cls` (Lua holds a strong reference until `__gc`).
  public func push<T>(_ object: T, as cls: LuaClass<T>) { lua_checkstack(L, 2); cls.push(object, on: L) }
  /// Pushes a module's table.
  public func push(_ module: LuaModule) { lua_checkstack(L, 4); module.push(on: L) }
}
