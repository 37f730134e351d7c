import Foundation
import Lab
import LuaBridge

/// What `lab.run` does with the script's grids (Lab.RunRole, plus where a plan puts its scratch folders).
public enum SweepRole {
  case whole
  case shard(ShardSpec)
  /// Planning a sweep: runs open under `scratch` (the real run folder is only recorded), with no grid point.
  case plan(scratch: URL)
  case collect(ShardMerge)
}

/// What one `edgelab run` (or REPL, or test) hands to the Lua side: the root seed, the smoke flag, the
/// `--set` overrides and the script. Bindings read it from Swift (`EdgeLabBinding.build` receives it);
/// Lua sees it as `edgelab.session` ({seed=, smoke=, overrides={k=v}, script=}).
public final class EdgeLabSession {
  /// The run's root seed (`--seed`, default 0). `math.randomseed(seed)` is applied at start.
  public var seed: UInt64
  /// `--smoke`: lab.config applies the script's smoke profile.
  public var smoke: Bool
  /// `--set key=value` overrides, in command-line order (a later key replaces an earlier one).
  public var overrides: [(key: String, value: LuaValue)]
  /// The script being run (nil in the REPL).
  public var scriptPath: String?
  /// Where `lua/` (the pure-Lua library) was found.
  public var luaDir: String?
  /// Called once when the script ends (in registration order), e.g. to mark open run folders
  /// complete / failed / interrupted. `EdgeLab.finish(_:_:)` runs them.
  public var finishHandlers: [(ScriptOutcome) -> Void] = []
  /// Whole run, one shard, a sweep's plan, or a collect (docs/decisions/0300-sharded-runs.md).
  public var sweepRole: SweepRole = .whole
  /// The run options as command-line words (--set …, --smoke, --seed N, -- args), recorded in a shard's
  /// manifest so `edgelab collect` can re-run the script the same way.
  public var runOptions: [String] = []
  /// When set, `lab.run` must resolve to this run folder (a sweep's shards and collect check it).
  public var expectedRunDir: String?
  /// The runs `lab.run` opened in this session (a sweep's plan and collect read them).
  public var openedRuns: [(dir: URL, run: Run)] = []

  public init(seed: UInt64 = 0, smoke: Bool = false, overrides: [(key: String, value: LuaValue)] = [],
              scriptPath: String? = nil, luaDir: String? = nil) {
    self.seed = seed
    self.smoke = smoke
    self.overrides = overrides
    self.scriptPath = scriptPath
    self.luaDir = luaDir
  }

  /// The assets folder: $EDGELAB_ASSETS, else <repository>/assets (the repository found from the script, the
  /// executable or the working directory), else ./assets. Models and data resolve from here, so a script
  /// run from any directory reads what `edgelab fetch` wrote.
  public var assetsDir: String {
    if let e = ProcessInfo.processInfo.environment["EDGELAB_ASSETS"], !e.isEmpty { return e }
    if let root = LuaPath.repoRoot(script: scriptPath) { return root + "/assets" }
    return "assets"
  }

  /// The evaluation data root: $EDGELAB_DATA, else <assetsDir>/data.
  public var dataDir: String {
    if let e = ProcessInfo.processInfo.environment["EDGELAB_DATA"], !e.isEmpty { return e }
    return assetsDir + "/data"
  }

  /// Registers a handler for the end of the script.
  public func onFinish(_ handler: @escaping (ScriptOutcome) -> Void) { finishHandlers.append(handler) }

  /// The overrides as one record (later duplicates win).
  public var overrideTable: [String: LuaValue] {
    var t: [String: LuaValue] = [:]
    for (k, v) in overrides { t[k] = v }
    return t
  }

  /// The session as a Lua value (for `edgelab.session`).
  public var luaValue: LuaValue {
    var t: [String: LuaValue] = ["smoke": .boolean(smoke), "overrides": .table(overrideTable)]
    t["seed"] = seed <= UInt64(Int.max) ? .integer(Int(seed)) : .number(Double(seed))
    if let s = scriptPath { t["script"] = .string(s) }
    t["assets_dir"] = .string(assetsDir)
    t["data_dir"] = .string(dataDir)
    return .table(t)
  }

  /// Parses one `--set key=value`: the value is a Lua literal evaluated as `return <value>` in an empty
  /// environment (numbers, strings, booleans, tables such as {1,2,3}); anything that does not evaluate to
  /// a non-nil value (a bare word like `ppo`) is taken as the string itself.
  public static func parseOverride(_ text: String) throws -> (key: String, value: LuaValue) {
    guard let eq = text.firstIndex(of: "=") else {
      throw LuaBridgeError.message("--set expects key=value, got '\(text)'")
    }
    let key = text[..<eq].trimmingCharacters(in: .whitespaces)
    let raw = String(text[text.index(after: eq)...])
    let isKey = !key.isEmpty && key.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
      !part.isEmpty && part.utf8.enumerated().allSatisfy { i, c in
        c == 95 || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (i > 0 && c >= 48 && c <= 57)
      }
    }
    guard isKey else { throw LuaBridgeError.message("--set: '\(key)' is not a valid key (name or dotted.name)") }
    return (key, literal(raw))
  }

  /// Evaluates `text` as a Lua literal in a sandbox; falls back to the string itself.
  public static func literal(_ text: String) -> LuaValue {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    if trimmed == "nil" { return .nil }
    let sandbox = LuaState(openLibs: false)
    defer { sandbox.close() }
    // An empty _ENV: no globals, no functions to call; only literals and operators evaluate.
    let code = "local _ENV = {}; return \(trimmed)"
    guard let f = try? sandbox.load(code, name: "=--set"), let r = try? f.call([]), let v = r.first,
          !v.isNil else { return .string(text) }
    if case .ref = v { return .string(text) }
    return v
  }
}

/// How a script ended.
public enum ScriptOutcome: Equatable {
  case complete
  /// A Lua or Swift error; the message starts with "file:line:".
  case failed(message: String)
  /// Ctrl-C.
  case interrupted(message: String)

  public init(error: Error) {
    let msg = (error as? LuaError)?.message ?? LuaClosure.describe(error)
    if (error as? LuaError)?.isInterrupt == true || LuaInterrupt.requested {
      self = .interrupted(message: msg)
    } else {
      self = .failed(message: msg)
    }
  }

  /// "complete" | "failed" | "interrupted" (the manifest's status).
  public var status: String {
    switch self {
    case .complete: return "complete"
    case .failed: return "failed"
    case .interrupted: return "interrupted"
    }
  }
}
