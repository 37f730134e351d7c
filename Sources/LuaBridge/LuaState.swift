import CLua
import Foundation

/// One Lua 5.4 interpreter (standard libraries open). Swift owns it; `close()` (or deinit) closes it, which
/// runs every pending `__gc` and so releases every Swift object still held by Lua.
///
/// Threading: a state is used from one thread at a time.
public final class LuaState {
  /// The main thread of the interpreter.
  public let mainL: OpaquePointer
  /// The thread a Swift callback is currently running on (a coroutine's or the main one); Swift→Lua calls
  /// made during a callback use it, so callbacks work inside coroutines too.
  public internal(set) var currentL: OpaquePointer? {
    get { header.pointee.currentL }
    set { header.pointee.currentL = newValue }
  }
  /// Raw per-state block reachable from any thread's extra space: the owner (unretained) and the current
  /// thread. Plain memory, so the call path needs no retain/release or exclusivity checks.
  let header: UnsafeMutablePointer<StateHeader>
  public private(set) var isClosed = false
  /// Free-form storage for the layers above the bridge (EdgeLabLua keeps its session here).
  public var userInfo: [String: Any] = [:]
  /// Metatable names already created for `LuaClass`es.
  var registeredClasses: Set<String> = []

  public init(openLibs: Bool = true) {
    guard let L = luaL_newstate() else { fatalError("luaL_newstate failed: out of memory") }
    mainL = L
    header = .allocate(capacity: 1)
    header.initialize(to: StateHeader(owner: nil, currentL: nil))
    header.pointee.owner = Unmanaged.passUnretained(self)
    edgelab_extraspace(L).storeBytes(of: UnsafeMutableRawPointer(header), as: UnsafeMutableRawPointer.self)
    if openLibs { luaL_openlibs(L) }
    LuaClosure.registerMetatable(L)
  }

  deinit {
    close()
    header.deinitialize(count: 1)
    header.deallocate()
  }

  /// Closes the interpreter (runs all finalizers). Further use is a programming error.
  public func close() {
    guard !isClosed else { return }
    isClosed = true
    LuaInterrupt.forget(self)
    lua_close(mainL)
  }

  /// The LuaState that owns the thread `L` (set at creation in the extra space; copied into coroutines).
  public static func owner(of L: OpaquePointer) -> LuaState {
    header(of: L).pointee.owner!.takeUnretainedValue()
  }

  @inline(__always)
  static func header(of L: OpaquePointer) -> UnsafeMutablePointer<StateHeader> {
    edgelab_extraspace(L).load(as: UnsafeMutablePointer<StateHeader>.self)
  }

  /// The thread Swift→Lua calls should use right now.
  var activeL: OpaquePointer { currentL ?? mainL }

  // MARK: Running code

  /// Compiles `code` without running it. Syntax errors throw `LuaError` (see `LuaError.isIncomplete`).
  public func load(_ code: String, name: String = "=(string)") throws -> LuaFunction {
    let L = activeL
    let status = code.withCString { p in edgelab_loadbuffer(L, p, strlen(p), name) }
    if status != LUA_OK {
      let msg = LuaState.string(L, -1) ?? "(error object is not a string)"
      edgelab_pop(L, 1)
      throw LuaError(message: msg)
    }
    return LuaFunction(ref: popRef(L))
  }

  /// Compiles and runs `code`; returns what the chunk returns.
  @discardableResult
  public func run(_ code: String, name: String = "=(string)", args: [LuaValue] = []) throws -> [LuaValue] {
    try load(code, name: name).call(args)
  }

  /// Loads and runs a Lua file. Messages read "name:line:" where name is `chunkName` (default: the path as
  /// given; Lua shortens names longer than 60 bytes with "..."). Sets the global `arg` as lua.c does
  /// (arg[0] = script, arg[1...] = scriptArgs) and passes scriptArgs as the chunk's `...`.
  @discardableResult
  public func runFile(_ path: String, chunkName: String? = nil, scriptArgs: [String] = []) throws -> [LuaValue] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw LuaError(message: "cannot open \(path): no such readable file")
    }
    setGlobal("arg", argTableValue(script: path, args: scriptArgs))
    let L = activeL
    var bytes = [UInt8](data)
    // skip a "#!" first line, as luaL_loadfile does (keep the newline so line numbers stay right)
    if bytes.starts(with: [35, 33]) { bytes = Array(bytes.drop(while: { $0 != 10 })) }
    if bytes.isEmpty { bytes = [10] }
    let status = bytes.withUnsafeBufferPointer { b in
      b.withMemoryRebound(to: CChar.self) { c in
        edgelab_loadbuffer(L, c.baseAddress!, c.count, "@" + (chunkName ?? path))
      }
    }
    if status != LUA_OK {
      let msg = LuaState.string(L, -1) ?? "cannot load \(path)"
      edgelab_pop(L, 1)
      throw LuaError(message: msg)
    }
    let fn = LuaFunction(ref: popRef(L))
    return try fn.call(scriptArgs.map { .string($0) })
  }

  private func argTableValue(script: String, args: [String]) -> LuaValue {
    // arg has integer keys 0...n: build it in Lua terms by pushing directly.
    let L = activeL
    lua_createtable(L, Int32(args.count), 1)
    lua_pushstring(L, script)
    lua_rawseti(L, -2, 0)
    for (i, a) in args.enumerated() {
      lua_pushstring(L, a)
      lua_rawseti(L, -2, lua_Integer(i + 1))
    }
    return .ref(popRef(L))
  }

  /// Pushes a function (via `pushFunction`), the arguments, and calls it under the traceback handler.
  func protectedCall(pushFunction: (OpaquePointer) -> Void, args: [LuaValue]) throws -> [LuaValue] {
    let L = activeL
    let base = lua_gettop(L)
    guard lua_checkstack(L, Int32(args.count) + 4) != 0 else { throw LuaBridgeError.message("Lua stack overflow") }
    lua_pushcclosure(L, edgelab_traceback, 0)
    pushFunction(L)
    for a in args { LuaState.push(a, on: L) }
    let status = edgelab_pcall(L, Int32(args.count), edgelab_multret(), base + 1)
    defer { lua_settop(L, base) }
    if status != LUA_OK {
      let text = LuaState.string(L, -1) ?? "(error object is a \(LuaState.typeName(L, -1)) value)"
      throw LuaError(handled: text)
    }
    let top = lua_gettop(L)
    var results: [LuaValue] = []
    if top > base + 1 {
      results.reserveCapacity(Int(top - base - 1))
      for i in (base + 2)...top { results.append(try LuaState.value(L, at: i)) }
    }
    return results
  }

  // MARK: Globals, package.path, preload

  public func setGlobal(_ name: String, _ value: LuaValue) {
    let L = activeL
    edgelab_pushglobaltable(L)
    lua_pushstring(L, name)
    LuaState.push(value, on: L)
    lua_rawset(L, -3)
    edgelab_pop(L, 1)
  }

  public func global(_ name: String) throws -> LuaValue {
    let L = activeL
    edgelab_pushglobaltable(L)
    lua_pushstring(L, name)
    lua_rawget(L, -2)
    defer { edgelab_pop(L, 2) }
    return try LuaState.value(L, at: -1)
  }

  /// Defines a global function implemented in Swift.
  public func setGlobal(_ name: String, function: @escaping LuaClosure.Body) {
    let L = activeL
    edgelab_pushglobaltable(L)
    LuaClosure.push(L, name: name, body: function)
    lua_setfield(L, -2, name)
    edgelab_pop(L, 1)
  }

  /// Prepends `dir/?.lua;dir/?/init.lua` to package.path.
  public func addPackagePath(_ dir: String) {
    let L = activeL
    lua_getglobal(L, "package")
    lua_getfield(L, -1, "path")
    let old = LuaState.string(L, -1) ?? ""
    edgelab_pop(L, 1)
    let d = dir.hasSuffix("/") ? String(dir.dropLast()) : dir
    lua_pushstring(L, "\(d)/?.lua;\(d)/?/init.lua;" + old)
    lua_setfield(L, -2, "path")
    edgelab_pop(L, 1)
  }

  /// Registers a module loader in package.preload: `require(name)` calls `loader`, which pushes the
  /// module value (usually `call.push(module)`) and returns 1.
  public func preload(_ name: String, loader: @escaping LuaClosure.Body) {
    let L = activeL
    lua_getfield(L, edgelab_registryindex(), LUA_PRELOAD_TABLE)
    LuaClosure.push(L, name: name, body: loader)
    lua_setfield(L, -2, name)
    edgelab_pop(L, 1)
  }

  /// Registers a `LuaModule` so `require(name)` returns its table (built once, cached by require).
  public func preload(_ module: LuaModule) {
    preload(module.name) { call in
      call.push(module)
      return 1
    }
  }

  /// Pops the top of `L` into a registry reference.
  func popRef(_ L: OpaquePointer) -> LuaRef {
    let t = LuaState.typeName(L, -1)
    let r = luaL_ref(L, edgelab_registryindex())
    return LuaRef(state: self, ref: r, typeName: t)
  }
}

struct StateHeader {
  var owner: Unmanaged<LuaState>?
  var currentL: OpaquePointer?
}
