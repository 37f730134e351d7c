import Foundation
import LuaBridge
import TensorCore

/// Sets up a Lua state for EdgeLab: every binding in package.preload as "edgelab.<name>", the pure-Lua
/// library (lua/edgelab/init.lua, which merges them into `require "edgelab"`) on package.path, the session,
/// and `math.randomseed(seed)`.
public enum EdgeLab {
  public static let sessionKey = "edgelab.session"

  /// A new state ready for scripts. `bindings` defaults to every registered binding.
  public static func makeState(session: EdgeLabSession, bindings: [EdgeLabBinding] = EdgeLabBinding.all) throws -> LuaState {
    let state = LuaState()
    try install(into: state, session: session, bindings: bindings)
    return state
  }

  public static func install(into state: LuaState, session: EdgeLabSession,
                             bindings: [EdgeLabBinding] = EdgeLabBinding.all) throws {
    state.userInfo[sessionKey] = session
    // Long Swift loops in the domain modules poll Cancellation; Ctrl-C (LuaInterrupt) is their stop signal.
    Cancellation.probe = { LuaInterrupt.requested }
    if session.luaDir == nil { session.luaDir = LuaPath.find(script: session.scriptPath) }
    if let dir = session.luaDir { state.addPackagePath(dir) }
    for b in bindings {
      let module = LuaModule("edgelab.\(b.name)")
      b.build(module, session)
      state.preload(module)
    }
    // The native index the pure-Lua `edgelab` module reads: submodule names (sorted) and the session.
    let names = LuaValue.array(bindings.map { .string($0.name) }.sorted { $0.stringValue! < $1.stringValue! })
    let native = LuaModule("edgelab.native").value("modules", names).value("session", session.luaValue)
      .function("clock") { call in call.push(EdgeLab.monotonicSeconds()); return 1 }
    state.preload(native)
    let seed = session.seed <= UInt64(Int.max) ? LuaValue.integer(Int(session.seed)) : .number(Double(session.seed))
    try state.run("math.randomseed(...)", name: "=edgelab", args: [seed])
  }

  /// Tells every finish handler how the script ended (each handler runs once; the list is emptied).
  public static func finish(_ session: EdgeLabSession, _ outcome: ScriptOutcome) {
    let handlers = session.finishHandlers
    session.finishHandlers = []
    for h in handlers { h(outcome) }
  }

  /// Runs a script file the way `edgelab run` does: Ctrl-C routed to the state, finish handlers told the
  /// outcome. Rethrows the script's error.
  public static func runScript(_ path: String, in state: LuaState, session: EdgeLabSession,
                               scriptArgs: [String] = []) throws {
    LuaInterrupt.install(for: state)
    defer { LuaInterrupt.uninstall() }
    do {
      try state.runFile(path, chunkName: displayPath(path), scriptArgs: scriptArgs)
      endScript(state, session, error: nil)
    } catch {
      endScript(state, session, error: error)
      throw error
    }
  }

  /// Marks the end of a script (or REPL session): lab runs still open record complete / failed /
  /// interrupted, then the session's finish handlers run.
  public static func endScript(_ state: LuaState, _ session: EdgeLabSession, error: Error?) {
    LabBinding.finishOpenRuns(in: state, error: error)
    finish(session, error.map(ScriptOutcome.init(error:)) ?? .complete)
  }

  /// `path` relative to the working directory when it lies below it (Lua shortens chunk names over 60
  /// bytes, so messages stay readable as "experiments/x.lua:12:").
  public static func displayPath(_ path: String) -> String {
    let cwd = FileManager.default.currentDirectoryPath
    let abs = URL(fileURLWithPath: path).standardizedFileURL.path
    if abs.hasPrefix(cwd + "/") { return String(abs.dropFirst(cwd.count + 1)) }
    return path
  }

  /// Monotonic wall-clock seconds (CLOCK_MONOTONIC; an arbitrary origin, so only differences mean anything).
  /// `edgelab.clock()` in Lua: unlike os.clock (process CPU time summed over threads) it measures elapsed time.
  public static func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
  }

  /// The session installed in `state` (nil for a bare LuaState).
  public static func session(of state: LuaState) -> EdgeLabSession? { state.userInfo[sessionKey] as? EdgeLabSession }
}

/// Locates the repository's `lua/` folder: $EDGELAB_LUA_PATH, else the first `lua/edgelab/init.lua` found
/// walking up from the script, from the executable, then from the working directory.
public enum LuaPath {
  public static func find(script: String? = nil) -> String? {
    let fm = FileManager.default
    if let env = ProcessInfo.processInfo.environment["EDGELAB_LUA_PATH"], !env.isEmpty { return env }
    var starts: [URL] = []
    if let s = script { starts.append(URL(fileURLWithPath: s).deletingLastPathComponent()) }
    // The executable's real location (/proc/self/exe on Linux), not argv[0], which may be a bare name on PATH.
    if let exe = Bundle.main.executableURL ?? CommandLine.arguments.first.map({ URL(fileURLWithPath: $0) }) {
      starts.append(exe.resolvingSymlinksInPath().deletingLastPathComponent())
    }
    starts.append(URL(fileURLWithPath: fm.currentDirectoryPath))
    for start in starts {
      var dir = start.standardizedFileURL
      for _ in 0..<12 {
        let candidate = dir.appendingPathComponent("lua")
        if fm.fileExists(atPath: candidate.appendingPathComponent("edgelab/init.lua").path) { return candidate.path }
        let parent = dir.deletingLastPathComponent()
        if parent.path == dir.path { break }
        dir = parent
      }
    }
    return nil
  }

  /// The repository root (the folder holding Package.swift), found like `find`.
  public static func repoRoot(script: String? = nil) -> String? {
    guard let lua = find(script: script) else { return nil }
    let root = URL(fileURLWithPath: lua).deletingLastPathComponent()
    return FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) ? root.path : nil
  }
}
