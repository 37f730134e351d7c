import CLua
import Foundation

/// Swift functions callable from Lua. C function pointers cannot capture context, so each Swift closure is
/// boxed in a userdata upvalue and every call goes through one `@convention(c)` dispatcher behind the C
/// trampoline `edgelab_trampoline` (upvalue 1: dispatcher pointer, upvalue 2: the box, 3...: caller's).
/// A Swift `throw` becomes a pushed "file:line: message" and EDGELAB_LUA_RAISE; the trampoline (a C frame)
/// raises it, so no longjmp ever crosses a Swift frame.
public enum LuaClosure {
  /// A Swift function callable from Lua: reads its arguments from `call`, pushes results, returns how many.
  public typealias Body = (LuaCall) throws -> Int32

  final class Box {
    let name: String
    /// 1 for methods: argument numbers in messages skip `self`, as lauxlib does.
    let argOffset: Int32
    let body: Body
    init(name: String, argOffset: Int32, body: @escaping Body) {
      self.name = name
      self.argOffset = argOffset
      self.body = body
    }
  }

  static let boxMetatable = "edgelab.SwiftClosure"

  static func registerMetatable(_ L: OpaquePointer) {
    luaL_newmetatable(L, boxMetatable)
    lua_pushcclosure(L, releaseBox, 0)
    lua_setfield(L, -2, "__gc")
    edgelab_pop(L, 1)
  }

  /// `__gc` of a closure box: releases the Swift closure (never raises).
  static let releaseBox: lua_CFunction = { L in
    guard let L = L, let ud = luaL_testudata(L, 1, LuaClosure.boxMetatable) else { return 0 }
    if let raw = ud.load(as: UnsafeMutableRawPointer?.self) {
      ud.storeBytes(of: nil, as: UnsafeMutableRawPointer?.self)
      Unmanaged<Box>.fromOpaque(raw).release()
    }
    return 0
  }

  /// Pushes a Lua function running `body`. The top `upvalues` stack values become extra upvalues, readable
  /// in the body with `call.upvalueIndex(k)` (k = 1...upvalues).
  public static func push(_ L: OpaquePointer, name: String, upvalues: Int32 = 0, body: @escaping Body) {
    push(L, box: Box(name: name, argOffset: 0, body: body), upvalues: upvalues)
  }

  static func push(_ L: OpaquePointer, box: Box, upvalues: Int32 = 0) {
    let ud = lua_newuserdatauv(L, MemoryLayout<UnsafeMutableRawPointer?>.size, 0)!
    ud.storeBytes(of: Unmanaged.passRetained(box).toOpaque(), as: UnsafeMutableRawPointer?.self)
    luaL_setmetatable(L, boxMetatable)
    if upvalues > 0 { lua_rotate(L, -(upvalues + 1), 1) }
    edgelab_pushswiftclosure(L, dispatch, upvalues + 1)
  }

  /// The single C-callable entry point for every Swift closure.
  static let dispatch: edgelab_swift_fn = { L in
    let L = L!
    guard let ud = lua_touserdata(L, edgelab_upvalueindex(2)),
          let raw = ud.load(as: UnsafeMutableRawPointer?.self) else {
      edgelab_where(L, 1)
      lua_pushstring(L, "Swift function already released")
      lua_concat(L, 2)
      return EDGELAB_LUA_RAISE
    }
    let header = LuaState.header(of: L)
    let saved = header.pointee.currentL
    header.pointee.currentL = L
    defer { header.pointee.currentL = saved }
    do {
      return try Unmanaged<Box>.fromOpaque(raw)._withUnsafeGuaranteedRef { box in
        try box.body(LuaCall(L: L, box: box))
      }
    } catch {
      pushError(L, error)
      return EDGELAB_LUA_RAISE
    }
  }

  /// Pushes the message for a Swift error: Lua errors pass through unchanged (they carry their own
  /// location); anything else is prefixed with the calling script's "file:line:".
  static func pushError(_ L: OpaquePointer, _ error: Error) {
    if let e = error as? LuaError {
      LuaState.pushString(e.message, on: L)
      return
    }
    edgelab_where(L, 1)
    LuaState.pushString(describe(error), on: L)
    lua_concat(L, 2)
  }

  /// A readable description of any Swift error (LocalizedError, then CustomStringConvertible).
  public static func describe(_ error: Error) -> String {
    if let l = error as? LocalizedError, let d = l.errorDescription { return d }
    return String(describing: error)
  }
}
