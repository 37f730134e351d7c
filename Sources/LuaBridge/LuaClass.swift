import CLua

/// A Swift class exposed to Lua as userdata. The userdata holds one retained reference (Unmanaged) that
/// `__gc` releases; methods live in the `__index` table; `__tostring`, `__close` and other metamethods are
/// optional. The metatable is created in a state the first time an object of the class is pushed.
///
///     let counterClass = LuaClass<Counter>("edgelab.Counter")
///       .method("add") { call, c in c.n += try call.integer(2); return 0 }
///       .property("n") { c in .integer(c.n) }
///       .tostring { c in "Counter(\(c.n))" }
public final class LuaClass<T: AnyObject> {
  /// Metatable name (also `__name`, shown in messages such as "edgelab.Run expected, got number").
  public let name: String
  var methods: [(String, LuaClosure.Body)] = []
  var properties: [String: (T) throws -> LuaValue] = [:]
  var metamethods: [(String, LuaClosure.Body)] = []

  public init(_ name: String) { self.name = name }

  /// `obj:name(...)`: the body gets the call (argument 1 is self) and the checked object.
  @discardableResult
  public func method(_ methodName: String, _ body: @escaping (LuaCall, T) throws -> Int32) -> Self {
    methods.append((methodName, selfChecked(methodName, body)))
    return self
  }

  /// `obj.name`: a read-only field computed on access (looked up after the methods).
  @discardableResult
  public func property(_ propertyName: String, _ get: @escaping (T) throws -> LuaValue) -> Self {
    properties[propertyName] = get
    return self
  }

  @discardableResult
  public func tostring(_ describe: @escaping (T) -> String) -> Self {
    metamethod("__tostring") { call, o in call.push(describe(o)); return 1 }
  }

  /// `local x <close> = obj`: called when `x` goes out of scope; `error` is the error object when the scope
  /// is left by an error (nil otherwise). The object stays alive until `__gc`.
  @discardableResult
  public func close(_ handler: @escaping (T, LuaValue) throws -> Void) -> Self {
    metamethod("__close") { call, o in
      let err = (try? LuaState.value(call.L, at: 2)) ?? .string("(unconvertible error object)")
      try handler(o, err)
      return 0
    }
  }

  /// `obj:close()`: releases the Swift object now (its memory, e.g. a model's weights) instead of at `__gc`;
  /// any later use raises "<class> used after close". Closing twice is allowed. `onClose` runs first.
  @discardableResult
  public func closable(_ onClose: ((T) throws -> Void)? = nil) -> Self {
    let cname = name
    methods.append(("close", { call in
      guard let ud = luaL_testudata(call.L, 1, cname) else {
        throw LuaBridgeError.message("calling 'close' on bad self (\(cname) expected, got \(call.typeName(1)))")
      }
      guard let raw = ud.load(as: UnsafeMutableRawPointer?.self) else { return 0 }
      try onClose?(Unmanaged<T>.fromOpaque(raw).takeUnretainedValue())
      ud.storeBytes(of: nil, as: UnsafeMutableRawPointer?.self)
      Unmanaged<T>.fromOpaque(raw).release()
      return 0
    }))
    return self
  }

  /// Any other metamethod (`__len`, `__call`, `__eq`, `__index` is reserved): argument 1 must be the object.
  @discardableResult
  public func metamethod(_ event: String, _ body: @escaping (LuaCall, T) throws -> Int32) -> Self {
    metamethods.append((event, selfChecked(event, body)))
    return self
  }

  private func selfChecked(_ what: String, _ body: @escaping (LuaCall, T) throws -> Int32) -> LuaClosure.Body {
    let cname = name
    return { [self] call in
      guard let o = self.object(call.L, at: 1) else {
        if luaL_testudata(call.L, 1, cname) != nil { throw LuaBridgeError.message("\(cname) used after close (in '\(what)')") }
        throw LuaBridgeError.message(
          "calling '\(what)' on bad self (\(cname) expected, got \(call.typeName(1))); use obj:\(what)(...)")
      }
      return try body(call, o)
    }
  }

  /// Registry key of this class's metatable (a light userdata: lookups need no string hashing).
  var registryKey: UnsafeRawPointer { UnsafeRawPointer(Unmanaged.passUnretained(self).toOpaque()) }

  // MARK: Lua side

  /// The object in the userdata at `i`, or nil when it is not this class (or was already released).
  public func object(_ L: OpaquePointer, at i: Int32) -> T? {
    guard let ud = lua_touserdata(L, i), lua_getmetatable(L, i) != 0 else { return nil }
    lua_rawgetp(L, edgelab_registryindex(), registryKey)
    let same = lua_rawequal(L, -1, -2) != 0
    edgelab_pop(L, 2)
    guard same, let raw = ud.load(as: UnsafeMutableRawPointer?.self) else { return nil }
    return Unmanaged<T>.fromOpaque(raw).takeUnretainedValue()
  }

  /// Pushes `object` as a new userdata (retained until its `__gc`).
  public func push(_ object: T, on L: OpaquePointer) {
    let ud = lua_newuserdatauv(L, MemoryLayout<UnsafeMutableRawPointer?>.size, 0)!
    ud.storeBytes(of: Unmanaged.passRetained(object).toOpaque(), as: UnsafeMutableRawPointer?.self)
    ensureMetatable(L)
    lua_setmetatable(L, -2)
  }

  /// Pushes the class metatable, creating it on first use in this state.
  func ensureMetatable(_ L: OpaquePointer) {
    if lua_rawgetp(L, edgelab_registryindex(), registryKey) != LUA_TNIL { return }
    edgelab_pop(L, 1)
    if luaL_newmetatable(L, name) == 0 {
      // Another LuaClass instance already registered this name in this state: share its metatable.
      lua_pushvalue(L, -1)
      lua_rawsetp(L, edgelab_registryindex(), registryKey)
      return
    }
    let mt = lua_gettop(L)
    lua_pushvalue(L, mt)
    lua_rawsetp(L, edgelab_registryindex(), registryKey)
    // methods table
    lua_createtable(L, 0, Int32(methods.count))
    for (n, body) in methods {
      LuaClosure.push(L, box: .init(name: n, argOffset: 1, body: body))
      lua_setfield(L, -2, n)
    }
    if properties.isEmpty {
      lua_setfield(L, mt, "__index")
    } else {
      let props = properties
      LuaClosure.push(L, name: "__index", upvalues: 1) { [self] call in
        let L = call.L
        guard lua_type(L, 2) == LUA_TSTRING, let key = LuaState.string(L, 2) else { return 0 }
        lua_pushvalue(L, 2)
        if lua_rawget(L, call.upvalueIndex(1)) != LUA_TNIL { return 1 }
        edgelab_pop(L, 1)
        guard let get = props[key] else { return 0 }
        guard let o = self.object(L, at: 1) else { throw LuaBridgeError.message("\(self.name) used after close (reading '\(key)')") }
        call.push(try get(o))
        return 1
      }
      lua_setfield(L, mt, "__index")
    }
    for (event, body) in metamethods {
      LuaClosure.push(L, box: .init(name: event, argOffset: 0, body: body))
      lua_setfield(L, mt, event)
    }
    // __gc: release the Swift reference (checks the class by name, never raises).
    lua_pushstring(L, name)
    lua_pushcclosure(L, LuaClassSupport.release, 1)
    lua_setfield(L, mt, "__gc")
  }
}

enum LuaClassSupport {
  static let release: lua_CFunction = { L in
    guard let L = L, let name = lua_tolstring(L, edgelab_upvalueindex(1), nil),
          let ud = luaL_testudata(L, 1, name),
          let raw = ud.load(as: UnsafeMutableRawPointer?.self) else { return 0 }
    ud.storeBytes(of: nil, as: UnsafeMutableRawPointer?.self)
    Unmanaged<AnyObject>.fromOpaque(raw).release()
    return 0
  }
}
