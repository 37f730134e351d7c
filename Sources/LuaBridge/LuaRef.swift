import CLua

/// A registry reference to a Lua value (function, userdata, thread, or anything else). Releases the
/// reference when the last Swift owner goes away, provided the state is still open.
public final class LuaRef: Equatable {
  public let ref: Int32
  public let typeName: String
  weak var state: LuaState?

  init(state: LuaState, ref: Int32, typeName: String) {
    self.state = state
    self.ref = ref
    self.typeName = typeName
  }

  deinit {
    if let s = state, !s.isClosed { luaL_unref(s.mainL, edgelab_registryindex(), ref) }
  }

  /// Pushes the referenced value onto `L` (a thread of the owning state).
  public func push(_ L: OpaquePointer) { lua_rawgeti(L, edgelab_registryindex(), lua_Integer(ref)) }

  public static func == (a: LuaRef, b: LuaRef) -> Bool { a === b || (a.state === b.state && a.ref == b.ref) }
}

/// A Lua function held by Swift (a callback such as `on_eval`). Calls go through `lua_pcall` with the
/// traceback handler; a Lua error comes back as a thrown `LuaError`.
public final class LuaFunction {
  public let ref: LuaRef
  public init(ref: LuaRef) { self.ref = ref }

  /// Calls the function with `args`; returns all its results.
  @discardableResult
  public func call(_ args: [LuaValue]) throws -> [LuaValue] {
    guard let state = ref.state, !state.isClosed else { throw LuaBridgeError.message("Lua state is closed") }
    return try state.protectedCall(pushFunction: { L in ref.push(L) }, args: args)
  }
  @discardableResult
  public func call(_ args: LuaValue...) throws -> [LuaValue] { try call(args) }
}
