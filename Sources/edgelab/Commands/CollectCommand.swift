import ArgumentParser
import EdgeLabLua
import Foundation
import Lab

struct CollectCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "collect", abstract: "Merge a sharded run's shards and run the script's summary on the merged rows.",
    discussion: """
      Every shard (shards/<i>/ of RUN_DIR) must be complete; otherwise collect names the missing or failed
      shards and writes nothing. The data files are merged in the order an unsharded run writes them, then
      the script runs again with no grid point, and its summary (after run:summary()) reads the merged rows.
      """)

  @Argument(help: "The run folder (outputs/<experiment>/<config-id>).") var runDir: String

  func run() throws {
    try Collect.run(URL(fileURLWithPath: runDir).standardizedFileURL)
  }
}

enum Collect {
  /// Collects the run folder `dir` (absolute).
  static func run(_ dir: URL) throws {
    let merge: ShardMerge
    do { merge = try ShardMerge.load(dir) } catch let LabError.io(message) {
      throw ScriptFailure(text: "edgelab " + message)
    }
    guard let script = merge.sweep?.script ?? merge.script else {
      throw ScriptFailure(text: "edgelab collect: the shards of \(dir.path) do not record their script")
    }
    guard let data = FileManager.default.contents(atPath: script) else {
      throw ScriptFailure(text: "edgelab collect: the script \(script) the shards ran is gone")
    }
    if let sha = merge.scriptSHA256, SHA256.hex(data) != sha {
      CLI.stderr("edgelab collect: warning: \(script) changed since the shards ran; the summary runs the new version on the old rows")
    }
    let (words, scriptArgs) = Slurm.splitOptions(merge.options)
    let options: ScriptOptions
    do { options = try ScriptOptions.parse(words) } catch {
      throw ScriptFailure(text: "edgelab collect: cannot read the shards' options \(words): \(error)")
    }
    let session = try options.session(script: script)
    session.sweepRole = .collect(merge)
    session.expectedRunDir = dir.path
    try CLI.execute(script: script, session: session, scriptArgs: scriptArgs)
    try CLI.checkRuns(session, what: "collect")
    let rows = merge.files.map { "\($0.name) (\($0.rows) rows)" }.joined(separator: ", ")
    print("collect: merged \(merge.count) shard\(merge.count == 1 ? "" : "s") into \(dir.path): \(rows.isEmpty ? "no data files" : rows)")
  }

}
