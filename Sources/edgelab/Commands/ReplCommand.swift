import ArgumentParser
import EdgeLabLua
import Foundation
import LuaBridge

struct ReplCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "repl", abstract: "Interactive Lua with the edgelab module loaded.",
    discussion: "Expressions print their value (`1 + 1`, `edgelab.grid{a={1,2}}`); unfinished input continues on the next line; `local` declarations persist across lines; Tab completes globals, locals and fields; errors are printed and the session goes on (piped input: exit status 1 if any input failed). History: ~/.edgelab_history.")

  @OptionGroup var options: ScriptOptions

  func run() throws {
    let session = try options.session(script: nil)
    let state = try EdgeLab.makeState(session: session)
    CLI.warnIfNoLuaLibrary(session)
    let repl = try Repl(state: state)
    repl.loop()
    EdgeLab.endScript(state, session, error: nil)
    state.close()
    // Piped input (a script fed to the REPL) reports failure like `edgelab run` does.
    if !repl.tty && repl.errors > 0 { throw ExitCode(1) }
  }
}
