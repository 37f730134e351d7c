import ArgumentParser
import EdgeLabLua
import Foundation
import Lab
import LuaBridge

struct EdgeLabCLI: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "edgelab",
    abstract: "EdgeLab: compact LLMs at the network edge — experiments in Lua on a Swift core.",
    subcommands: [RunCommand.self, SweepCommand.self, CollectCommand.self, ReplCommand.self, FiguresCommand.self,
                  BenchCommand.self, FetchCommand.self])
}

/// A script (or figure run) failed: print `text` and exit 1.
struct ScriptFailure: Error {
  let text: String
  /// The stop signal (SIGINT, SIGTERM, SIGHUP) that ended the script, if one did: exit status 128 + signal.
  var signal: Int32? = nil
}

/// The options every script-running command shares.
struct ScriptOptions: ParsableArguments {
  @Option(name: .customLong("set"), help: ArgumentHelp("Override a config value with a Lua literal (repeatable).", valueName: "key=value"))
  var sets: [String] = []

  @Flag(help: "Apply the script's smoke profile (tiny sizes, for tests).")
  var smoke = false

  @Option(help: "Root seed of the run (also math.randomseed).")
  var seed: UInt64 = 0

  func session(script: String?) throws -> EdgeLabSession {
    var overrides: [(key: String, value: LuaValue)] = []
    for s in sets {
      do { overrides.append(try EdgeLabSession.parseOverride(s)) } catch {
        throw ValidationError(LuaClosure.describe(error))
      }
    }
    let session = EdgeLabSession(seed: seed, smoke: smoke, overrides: overrides, scriptPath: script)
    session.runOptions = words
    return session
  }

  /// The options as command-line words (what a sweep passes on to its shards and records).
  var words: [String] {
    sets.flatMap { ["--set", $0] } + (smoke ? ["--smoke"] : []) + (seed != 0 ? ["--seed", String(seed)] : [])
  }
}

enum CLI {
  /// The error as one screen: the message (which starts with file:line), then at most `maxLines` lines
  /// of traceback.
  static func format(_ error: Error, maxLines: Int = 12) -> String {
    guard let le = error as? LuaError else { return "edgelab: " + LuaClosure.describe(error) }
    var text = "edgelab: " + le.message
    if let tb = le.traceback {
      let lines = tb.split(separator: "\n", omittingEmptySubsequences: false)
      text += "\n" + lines.prefix(maxLines).joined(separator: "\n")
      if lines.count > maxLines { text += "\n\t... (\(lines.count - maxLines) more lines)" }
    }
    return text
  }

  static func warnIfNoLuaLibrary(_ session: EdgeLabSession) {
    if session.luaDir == nil {
      FileHandle.standardError.write(Data(
        "edgelab: warning: the lua/ library was not found (set EDGELAB_LUA_PATH=<repo>/lua)\n".utf8))
    }
  }

  /// The repository root: from the script, the executable or the working directory; else the cwd.
  static func repoRoot(script: String? = nil) -> URL {
    if let r = LuaPath.repoRoot(script: script) { return URL(fileURLWithPath: r) }
    return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
  }

  /// Runs a script file as `edgelab run` does (errors become a one-screen ScriptFailure).
  static func execute(script: String, session: EdgeLabSession, scriptArgs: [String]) throws {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: script, isDirectory: &isDir), !isDir.boolValue else {
      throw ScriptFailure(text: "edgelab: cannot open \(script): no such file")
    }
    let state: LuaState
    do { state = try EdgeLab.makeState(session: session) } catch { throw ScriptFailure(text: CLI.format(error)) }
    CLI.warnIfNoLuaLibrary(session)
    defer { state.close() }
    do {
      try EdgeLab.runScript(script, in: state, session: session, scriptArgs: scriptArgs)
    } catch {
      // A stop signal that ended the script makes the exit status 128 + signal (main.swift).
      throw ScriptFailure(text: CLI.format(error), signal: LuaInterrupt.signalReceived)
    }
  }

  /// After a shard or collect: the script must have opened a run, and every run it opened must be complete
  /// (a run can fail without a script error, e.g. a shard that never reached run:summary()).
  static func checkRuns(_ session: EdgeLabSession, what: String) throws {
    guard !session.openedRuns.isEmpty else {
      throw ScriptFailure(text: "edgelab: \(what): the script opened no run (lab.run), so there is nothing to shard or collect")
    }
    for (dir, run) in session.openedRuns where run.status != .complete {
      throw ScriptFailure(text: "edgelab: \(what) of \(dir.path): \(run.status.rawValue): \(run.manifest.error ?? "")")
    }
  }

  static func stderr(_ s: String) {
    fflush(stdout)
    FileHandle.standardError.write(Data((s + "\n").utf8))
  }
}
