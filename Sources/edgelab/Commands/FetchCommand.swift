import ArgumentParser
import Foundation

struct FetchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fetch", abstract: "Download and checksum the model and data assets into assets/.",
    discussion: "Assets: " + Asset.all.map { "\($0.name) (\($0.spec), ~\($0.approxMB) MB)" }.joined(separator: "; ")
      + ". Archives are cached in assets/cache/; re-running skips finished work.")

  @Argument(help: "Only these assets (default: all).") var only: [String] = []
  @Option(help: "Assets folder (default: <repo>/assets).") var assets: String?
  @Flag(help: "List the assets and exit.") var list = false
  @Option(help: ArgumentHelp("BIG-bench tasks to extract besides the defaults: comma-separated folder names of bigbench==1.0.0's benchmark_tasks (a composite task brings its subtasks), or `all`.", valueName: "a,b,..."))
  var tasks: String?

  mutating func run() throws {
    if list {
      for a in Asset.all {
        print("\(a.name)\t\(a.spec)\t~\(a.approxMB) MB\t" + a.members.map(\.dest).joined(separator: ", "))
      }
      return
    }
    let unknown = only.filter { n in !Asset.all.contains { $0.name == n } }
    guard unknown.isEmpty else {
      throw ValidationError("unknown asset(s) \(unknown); known: \(Asset.all.map(\.name).joined(separator: ", "))")
    }
    var assets = Asset.all
    if let t = tasks {
      let names = t.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
      guard !names.isEmpty, names == ["all"] || !names.contains("all"),
            names.allSatisfy({ n in !n.contains("/") && !n.hasPrefix(".") }) else {
        throw ValidationError("--tasks wants task folder names separated by commas (e.g. logical_deduction,word_unscrambling) or `all`; for a subtask fetch its task")
      }
      assets = assets.map { $0.name == "bigbench" ? Asset.bigbench(tasks: names) : $0 }
      if only.isEmpty { only = ["bigbench"] }
    }
    let env = ProcessInfo.processInfo.environment["EDGELAB_ASSETS"].flatMap { $0.isEmpty ? nil : $0 }
    let dir = (self.assets ?? env).map { URL(fileURLWithPath: $0) } ?? CLI.repoRoot().appendingPathComponent("assets")
    let fetcher = Fetcher(assetsDir: dir, repoRoot: CLI.repoRoot())
    var failed: [String] = []
    for a in assets where only.isEmpty || only.contains(a.name) {
      do { print("fetch: " + (try fetcher.fetch(a))) } catch {
        CLI.stderr("fetch: \(a.name): \(error)")
        failed.append(a.name)
      }
    }
    if !failed.isEmpty { throw ScriptFailure(text: "edgelab fetch: failed: \(failed.joined(separator: ", "))") }
  }
}
