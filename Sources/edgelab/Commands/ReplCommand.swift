import ArgumentParser
import EdgeLabLua
import Foundation
import LuaBridge

struct ReplCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "repl", abstract: "Interactive Lua with the edgelab module loaded.",
    discussion: "Expressions print their value (`1 + 1`, `edgelab.grid{a={1,2}}`); unfinished input continues on the next line; errors are printed and the session goes on. History: ~/.edgelab_history.")

  @OptionGroup var options: ScriptOptions

  func run() throws {
    let session = try options.session(script: nil)
    let state = try EdgeLab.makeState(session: session)
    CLI.warnIfNoLuaLibrary(session)
    let repl = try Repl(state: state)
    repl.loop()
    EdgeLab.endScript(state, session, error: nil)
    state.close()
  }
}
