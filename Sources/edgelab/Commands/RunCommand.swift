import ArgumentParser
import EdgeLabLua
import Foundation
import Lab
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
  @Option(help: ArgumentHelp("Run shard i of K: the i-th slice (0-based) of every grid iterated with run:grid; rows go to shards/<i>/ of the run folder (merge them with `edgelab collect`).", valueName: "i/K"))
  var shard: String?
  @Option(name: .customLong("run-dir"), help: ArgumentHelp("Fail unless the script's run folder is this one (sweeps set it).", visibility: .hidden))
  var runDir: String?
  @Argument(parsing: .postTerminator, help: "Arguments for the script (after --), in `arg` and `...`.")
  var scriptArgs: [String] = []

  func run() throws {
    let session = try options.session(script: script)
    if let text = shard {
      do { session.sweepRole = .shard(try ShardSpec(parsing: text)) } catch { throw ValidationError("--shard: \(error)") }
      if !scriptArgs.isEmpty { session.runOptions += ["--"] + scriptArgs }
    }
    session.expectedRunDir = runDir
    try CLI.execute(script: script, session: session, scriptArgs: scriptArgs)
    if case .shard(let spec) = session.sweepRole { try CLI.checkRuns(session, what: "shard \(spec)") }
  }
}
