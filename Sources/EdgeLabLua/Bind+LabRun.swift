import CLua
import Foundation
import Lab
import LuaBridge

/// A run held by Lua. While it is open, `print` also appends to the run's log.txt.
public final class LabRunBox {
  public let run: Run
  weak var state: LuaState?
  var restorePrint: LuaFunction?
  init(run: Run, state: LuaState) { self.run = run; self.state = state }
}

extension LabBinding {
  static let openRunsKey = "edgelab.lab.open-runs"

  /// Finishes every run still open in `state`: `complete` when `error` is nil, `interrupted` for Ctrl-C,
  /// `failed` (with the message) otherwise. The CLI calls this after a script ends, so runs not declared
  /// with `<close>` still record how the script ended.
  public static func finishOpenRuns(in state: LuaState, error: Error?) {
    let open = (state.userInfo[openRunsKey] as? [LabRunBox]) ?? []
    let outcome = error.map { ScriptOutcome(error: $0) } ?? .complete
    for box in open.reversed() { try? finish(box, outcome: outcome) }
  }

  /// Finishes from the error object of a `<close>` (nil = normal exit) or of a failed script.
  static func finish(_ box: LabRunBox, error: LuaValue) throws {
    guard case .nil = error else {
      var full: String
      if case .string(let s) = error { full = s } else { full = "(error object is a \(error.typeName) value)" }
      // The message handler has already appended the traceback: the manifest gets the message, the log both.
      var text = full
      if let r = full.range(of: "\nstack traceback:") { text = String(full[..<r.lowerBound]) }
      // The Ctrl-C hook's error (LuaInterrupt), or a Swift loop stopped by it (possibly wrapped, e.g. as
      // "bad argument #1 to 'train' (interrupted!)").
      let interrupted = text.hasSuffix("interrupted!") || text.contains("(interrupted!)") || LuaInterrupt.requested
      return try finish(box, interrupted ? .interrupted : .failed, message: text, log: full)
    }
    try finish(box, .complete, message: nil, log: nil)
  }

  static func finish(_ box: LabRunBox, _ status: RunStatus, message: String?, log: String?) throws {
    guard box.run.status == .running else { return }
    if let state = box.state, !state.isClosed {
      var open = (state.userInfo[openRunsKey] as? [LabRunBox]) ?? []
      open.removeAll { $0 === box }
      state.userInfo[openRunsKey] = open
      if let restore = box.restorePrint { _ = try? restore.call([]) }
    }
    box.restorePrint = nil
    if status != .complete, let text = log ?? message {
      box.run.log((status == .interrupted ? "interrupted: " : "error: ") + text + "\n")
    }
    try box.run.finish(status, error: message)
  }

  /// Finishes a run with the outcome the CLI reports when the script ends (runs not declared `<close>`).
  static func finish(_ box: LabRunBox, outcome: ScriptOutcome) throws {
    switch outcome {
    case .complete: try finish(box, .complete, message: nil, log: nil)
    case .failed(let m): try finish(box, .failed, message: m, log: nil)
    case .interrupted(let m): try finish(box, .interrupted, message: m, log: nil)
    }
  }

  /// Wraps the global `print` so it also appends to the run's log; returns a function restoring it.
  static let printHookChunk = """
    local log = ...
    local orig = print
    local function hooked(...)
      orig(...)
      local n = select("#", ...)
      local parts = {}
      for i = 1, n do parts[i] = tostring((select(i, ...))) end
      log(table.concat(parts, "\\t") .. "\\n")
    end
    print = hooked
    return function() if print == hooked then print = orig end end
    """

  static func outputsRoot(_ opt: String?, _ session: EdgeLabSession) -> URL {
    if let o = opt { return URL(fileURLWithPath: o) }
    if let e = ProcessInfo.processInfo.environment["EDGELAB_OUTPUTS"], !e.isEmpty { return URL(fileURLWithPath: e) }
    if let root = LuaPath.repoRoot(script: session.scriptPath) { return URL(fileURLWithPath: root).appendingPathComponent("outputs") }
    return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("outputs")
  }

  static func run(_ call: LuaCall, _ session: EdgeLabSession) throws -> Int32 {
    guard lua_type(call.L, 1) == LUA_TTABLE else { throw call.typeError(1, expected: "table {name =, config =}") }
    let allowed: Set<String> = ["name", "config", "root"]
    guard case .table(let opts) = try call.table(1) else { throw call.argumentError(1, "options table expected") }
    for k in opts.keys.sorted() where !allowed.contains(k) {
      throw call.argumentError(1, "unknown option '\(k)' (expected: config, name, root)")
    }
    var name: String
    switch opts["name"] ?? .nil {
    case .string(let s): name = s
    case .nil:
      guard let s = session.scriptPath else { throw call.argumentError(1, "'name' is required outside a script") }
      name = URL(fileURLWithPath: s).deletingPathExtension().lastPathComponent
    default: throw call.argumentError(1, "'name' must be a string")
    }
    var root: String?
    if let r = opts["root"], !r.isNil {
      guard case .string(let s) = r else { throw call.argumentError(1, "'root' must be a string") }
      root = s
    }
    var values: [String: JSONValue] = [:], defaults: [String: JSONValue]? = nil, smoke = session.smoke
    lua_pushstring(call.L, "config")
    lua_rawget(call.L, 1)
    if lua_type(call.L, -1) == LUA_TTABLE {
      let c = try readConfig(call, at: lua_gettop(call.L))
      values = c.values; defaults = c.defaults
      if c.defaults != nil { smoke = c.smoke }
    } else if lua_type(call.L, -1) != LUA_TNIL {
      defer { edgelab_pop(call.L, 1) }
      throw call.argumentError(1, "'config' must be a table (from lab.config)")
    }
    edgelab_pop(call.L, 1)
    var config = ResolvedConfig(values: values, defaults: defaults ?? values, smoke: smoke)
    let seed: JSONValue = .int(Int(clamping: session.seed))
    if session.seed != 0 && values["seed"] == nil { config.extraID["seed"] = seed }
    let script = session.scriptPath.map { URL(fileURLWithPath: $0) }
    let outputs = outputsRoot(root, session)
    let dir = outputs.appendingPathComponent(name).appendingPathComponent(config.id).standardizedFileURL
    for other in (call.state.userInfo[openRunsKey] as? [LabRunBox]) ?? [] where other.run.runDir.standardizedFileURL.path == dir.path {
      throw LuaBridgeError.message("lab.run: \(dir.path) is already open in this script (finish that run first)")
    }
    if let expected = session.expectedRunDir, URL(fileURLWithPath: expected).standardizedFileURL.path != dir.path {
      throw LuaBridgeError.message("lab.run: this run resolves to \(dir.path), but the sweep expects \(expected) "
                                   + "(other outputs root, options or script version?)")
    }
    var runRoot = outputs
    let role: RunRole
    switch session.sweepRole {
    case .whole: role = .whole
    case .shard(let spec): role = .shard(spec, options: session.runOptions)
    case .plan(let scratch): role = .plan; runRoot = scratch
    case .collect(let merge): role = .collect(merge)
    }
    let r = try Run(root: runRoot, experiment: name, config: config, seed: seed, script: script,
                    version: version, args: CommandLine.arguments, role: role, rootSeed: session.seed)
    for note in r.recovered { FileHandle.standardError.write(Data("lab.run: earlier run \(note)\n".utf8)) }
    session.openedRuns.append((dir, r))
    let state = call.state
    let box = LabRunBox(run: r, state: state)
    var open = (state.userInfo[openRunsKey] as? [LabRunBox]) ?? []
    open.append(box)
    state.userInfo[openRunsKey] = open
    // print → log.txt while the run is open (the log closure holds the box weakly: no cycle through Lua)
    LuaClosure.push(call.L, name: "log") { [weak box] c in
      if let b = box, b.run.status == .running { b.run.log(try c.string(1)) }
      return 0
    }
    let logFn = try LuaState.value(call.L, at: -1)
    edgelab_pop(call.L, 1)
    if case .ref(let f)? = try state.run(printHookChunk, name: "=lab.run", args: [logFn]).first {
      box.restorePrint = LuaFunction(ref: f)
    }
    // When the script ends (edgelab run), a run still open records how it ended.
    session.onFinish { [weak box] outcome in
      if let b = box { try? finish(b, outcome: outcome) }
    }
    call.push(box, as: runClass)
    return 1
  }

  static func csvFile(_ v: LuaValue, _ call: LuaCall, _ i: Int32, _ box: LabRunBox) throws -> String {
    switch v {
    case .string(let s): return s
    case .ref(let r):
      r.push(call.L)
      defer { edgelab_pop(call.L, 1) }
      guard let w = csvClass.object(call.L, at: -1) else { break }
      guard w.runDir == box.run.dir else { throw call.argumentError(i, "CSV writer belongs to another run") }
      return w.file
    default: break
    }
    throw call.argumentError(i, "CSV writer (from run:csv) or file name expected, got \(v.typeName)")
  }

  static let runClass: LuaClass<LabRunBox> = LuaClass<LabRunBox>("edgelab.Run")
    .method("csv") { call, b in
      let file = try call.string(2)
      guard let cols = try call.table(3).arrayValue, !cols.isEmpty else {
        throw call.argumentError(3, "non-empty array of column names expected")
      }
      let names = try cols.enumerated().map { k, v -> String in
        guard case .string(let s) = v else { throw call.argumentError(3, "column \(k + 1) must be a string, got \(v.typeName)") }
        return s
      }
      call.push(CSVBox(try b.run.csv(file, columns: names), file: file, runDir: b.run.dir), as: csvClass)
      return 1
    }
    .method("jsonl") { call, b in
      let file = try call.string(2)
      call.push(JSONLBox(try b.run.jsonl(file)), as: jsonlClass)
      return 1
    }
    .method("plot") { call, b in
      let url = try plot(call, b)
      call.push(url.path)
      return 1
    }
    .method("table") { call, b in
      let name = try call.string(2)
      try b.run.table(name, file: try csvFile(try call.value(3), call, 3, b))
      return 0
    }
    .method("note") { call, b in
      try b.run.note(try call.string(2))
      return 0
    }
    .method("finish") { call, b in
      let status = try call.optString(2, "complete")
      switch status {
      case "complete": try finish(b, error: .nil)
      case "failed": try finish(b, error: .string(try call.optString(3, "failed")))
      case "interrupted": try finish(b, error: .string("interrupted!"))
      default: throw call.argumentError(2, "status must be complete, failed or interrupted, got '\(status)'")
      }
      return 0
    }
    .method("grid") { call, b in try grid(call, b) }
    .method("summary") { call, b in
      call.push(b.run.beginSummary())
      return 1
    }
    .property("dir") { b in .string(b.run.dir.path) }
    .property("commit") { b in b.run.manifest.gitCommit.map { .string($0) } ?? .nil }
    .property("role") { b in .string(roleName(b.run.role)) }
    .property("shard") { b in
      guard case .shard(let spec, _) = b.run.role else { return .nil }
      return .table(["index": .integer(spec.index), "count": .integer(spec.count)])
    }
    .property("id") { b in .string(b.run.configID) }
    .property("name") { b in .string(b.run.experiment) }
    .property("status") { b in .string(b.run.status.rawValue) }
    .property("config") { b in lua(.object(b.run.config.values)) }
    .tostring { b in "edgelab.Run(\(b.run.experiment)/\(b.run.configID), \(b.run.status.rawValue))" }
    .close { b, err in try finish(b, error: err) }
}
