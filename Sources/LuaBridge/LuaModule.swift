import CLua

/// A table of Swift functions and constant values, pushed when Lua `require`s it (see
/// `LuaState.preload(_:)`). Function names double as the names in error messages.
public final class LuaModule {
  public let name: String
  var functions: [(String, LuaClosure.Body)] = []
  var values: [(String, LuaValue)] = []

  public init(_ name: String) { self.name = name }

  @discardableResult
  public func function(_ fname: String, _ body: @escaping LuaClosure.Body) -> Self {
    functions.append((fname, body))
    return self
  }

  @discardableResult
  public func value(_ key: String, _ v: LuaValue) -> Self {
    values.append((key, v))
    return self
  }

  /// Pushes a fresh table with the module's functions and values.
  public func push(on L: OpaquePointer) {
    lua_createtable(L, 0, Int32(functions.count + values.count))
    for (n, body) in functions {
      LuaClosure.push(L, name: n, body: body)
      lua_setfield(L, -2, n)
    }
    for (k, v) in values {
      LuaState.push(v, on: L)
      lua_setfield(L, -2, k)
    }
  }
}
