import ArgumentParser
import EdgeLabLua
import Foundation
import LuaBridge

struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run", abstract: "Run an experiment script.",
    discussion: """
      Values given with --set are Lua literals (5, 3e-4, true, {64,32}, 'text'); bare words are strings.
      They override the defaults the script declares with lab.config{}. Exit status: 0 ok, 1 script error,
      2 usage error.
      """)

  @Argument(help: "The Lua script to run.") var script: String
  @OptionGroup var options: ScriptOptions
  @Argument(parsing: .postTerminator, help: "Arguments for the script (after --), in `arg` and `...`.")
  var scriptArgs: [String] = []

  func run() throws {
    let session = try options.session(script: script)
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: script, isDirectory: &isDir), !isDir.boolValue else {
      throw ScriptFailure(text: "edgelab: cannot open \(script): no such file")
    }
    let state: LuaState
    do { state = try EdgeLab.makeState(session: session) } catch { throw ScriptFailure(text: CLI.format(error)) }
    CLI.warnIfNoLuaLibrary(session)
    do {
      try EdgeLab.runScript(script, in: state, session: session, scriptArgs: scriptArgs)
    } catch {
      state.close()
      throw ScriptFailure(text: CLI.format(error))
    }
    state.close()
  }
}
