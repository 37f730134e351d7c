import CLua
import Foundation
import Lab
import LuaBridge

/// `edgelab.lab`: experiment configuration, run folders, writers, figures and progress lines.
///
///   lab.config{ defaults..., smoke = {...} } → config table (defaults ← smoke profile when --smoke ← --set);
///       reading an undeclared key of the returned table is an error (typos must not pass silently)
///   lab.run{ name =, config =, root = } → run (use with `<close>`): outputs/<name>/<config-id>/
///   lab.read_csv(path) → rows ({column = value}, numbers parsed, empty cells nil), columns
///   lab.progress(label, total) → progress line (TTY only): p:update(step [, metric, value]), p:done()
extension EdgeLabBinding {
  public static let lab = EdgeLabBinding("lab") { m, session in
    m.function("config") { call in try LabBinding.config(call, session) }
    m.function("run") { call in try LabBinding.run(call, session) }
    m.function("read_csv") { call in
      let path = try call.string(1)
      let t = try CSVTable.read(URL(fileURLWithPath: path))
      call.push(.array(t.rows.map { r in
        var row: [String: LuaValue] = [:]
        for (c, cell) in zip(t.columns, r) { row[c] = LabBinding.lua(CSVTable.value(cell)) }
        return .table(row)
      }))
      call.push(.array(t.columns.map { .string($0) }))
      return 2
    }
    m.function("progress") { call in
      let label = try call.string(1)
      let total = try call.integer(2)
      guard total >= 0 else { throw call.argumentError(2, "total must be >= 0, got \(total)") }
      call.push(ProgressLine(label, total: total), as: LabBinding.progressClass)
      return 1
    }
  }
}

public enum LabBinding {
  /// EdgeLab's version as recorded in manifests.
  public static let version = "0.1.0"

  // MARK: Conversions Lua ↔ JSON

  /// A Lua value as JSON data (tables become arrays or objects); functions and userdata are rejected.
  static func json(_ v: LuaValue, _ what: @autoclosure () -> String) throws -> JSONValue {
    switch v {
    case .nil: return .null
    case .boolean(let b): return .bool(b)
    case .integer(let i): return .int(i)
    case .number(let d): return .number(d)
    case .string(let s): return .string(s)
    case .array(let a): return .array(try a.map { try json($0, what()) })
    case .table(let t):
      var o: [String: JSONValue] = [:]
      for (k, x) in t { o[k] = try json(x, what() + "." + k) }
      return .object(o)
    case .ref(let r):
      throw LuaBridgeError.message("\(what()): \(r.typeName) values cannot be stored (numbers, strings, booleans, tables)")
    }
  }

  static func lua(_ v: JSONValue) -> LuaValue {
    switch v {
    case .null: return .nil
    case .bool(let b): return .boolean(b)
    case .int(let i): return .integer(i)
    case .number(let d): return .number(d)
    case .string(let s): return .string(s)
    case .array(let a): return .array(a.map(lua))
    case .object(let o): return .table(o.mapValues(lua))
    }
  }

  static func object(_ v: LuaValue, _ call: LuaCall, _ i: Int32, _ what: String) throws -> [String: JSONValue] {
    switch v {
    case .nil: return [:]
    case .table(let t):
      var o: [String: JSONValue] = [:]
      for (k, x) in t { o[k] = try json(x, what + "." + k) }
      return o
    default: throw call.argumentError(i, "\(what) must be a table with string keys, got \(v.kindName)")
    }
  }

  // MARK: lab.config

  /// The strict `__index` of config tables: reading an undeclared (string) key is an error.
  static let strictIndexChunk = """
    local known = ...
    return function(_, k)
      if type(k) == "string" then
        error(("unknown config key '%s' (declared: %s)"):format(k, known), 2)
      end
    end
    """

  static func config(_ call: LuaCall, _ session: EdgeLabSession) throws -> Int32 {
    let spec = call.isNoneOrNil(1) ? LuaValue.table([:]) : try call.table(1)
    guard case .table(var fields) = spec else {
      throw call.argumentError(1, "table of named defaults expected (e.g. {seeds = 3, smoke = {seeds = 1}})")
    }
    let smokeValue = fields.removeValue(forKey: "smoke") ?? .nil
    let defaults = try object(.table(fields), call, 1, "config")
    let smokeProfile = try object(smokeValue, call, 1, "smoke")
    var overrides: [String: JSONValue] = [:]
    for (k, v) in session.overrideTable { overrides[k] = try json(v, "--set " + k) }
    if defaults["seed"] != nil, overrides["seed"] == nil, session.seed != 0 {
      overrides["seed"] = .int(Int(clamping: session.seed))   // --seed N sets a declared `seed` setting
    }
    let resolved: ResolvedConfig
    do {
      resolved = try LabConfig.resolve(defaults: defaults, smokeProfile: smokeProfile, smoke: session.smoke,
                                       overrides: overrides)
    } catch LabError.unknownConfigKey(let k) {
      let declared = defaults.keys.sorted().joined(separator: ", ")
      let source = overrides[k] != nil ? "--set \(k)" : "smoke profile key '\(k)'"
      throw LuaBridgeError.message("lab.config: \(source): unknown config key '\(k)' (declared: \(declared.isEmpty ? "none" : declared))")
    }
    let known = defaults.keys.sorted().joined(separator: ", ")
    guard case .ref(let index)? = try call.state.run(strictIndexChunk, name: "=lab.config",
                                                     args: [.string(known.isEmpty ? "none" : known)]).first else {
      throw LuaBridgeError.message("lab.config: internal error building the config table")
    }
    // values table with metatable {__name, __index = strict, defaults = {...}, smoke = bool}
    let L = call.L
    lua_checkstack(L, 4)
    LuaState.push(lua(.object(resolved.values)), on: L)
    lua_createtable(L, 0, 4)
    lua_pushstring(L, "edgelab.Config")
    lua_setfield(L, -2, "__name")
    index.push(L)
    lua_setfield(L, -2, "__index")
    LuaState.push(lua(.object(defaults)), on: L)
    lua_setfield(L, -2, "defaults")
    lua_pushboolean(L, session.smoke ? 1 : 0)
    lua_setfield(L, -2, "smoke")
    lua_setmetatable(L, -2)
    return 1
  }

  /// The (values, defaults, smoke) of a config table at stack index `i` (defaults = values for a plain table).
  static func readConfig(_ call: LuaCall, at i: Int32) throws -> (values: [String: JSONValue], defaults: [String: JSONValue]?, smoke: Bool) {
    let L = call.L
    let values = try object(try LuaState.value(L, at: i), call, 1, "config")
    guard lua_getmetatable(L, i) != 0 else { return (values, nil, false) }
    defer { edgelab_pop(L, 1) }
    lua_pushstring(L, "defaults")
    lua_rawget(L, -2)
    let d = try LuaState.value(L, at: -1)
    edgelab_pop(L, 1)
    lua_pushstring(L, "smoke")
    lua_rawget(L, -2)
    let smoke = lua_toboolean(L, -1) != 0
    edgelab_pop(L, 1)
    if d.isNil { return (values, nil, false) }
    return (values, try object(d, call, 1, "config defaults"), smoke)
  }
}
