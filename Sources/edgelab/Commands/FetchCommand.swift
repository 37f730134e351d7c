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

  func run() throws {
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
    let dir = assets.map { URL(fileURLWithPath: $0) } ?? CLI.repoRoot().appendingPathComponent("assets")
    let fetcher = Fetcher(assetsDir: dir)
    var failed: [String] = []
    for a in Asset.all where only.isEmpty || only.contains(a.name) {
      do { print("fetch: " + (try fetcher.fetch(a))) } catch {
        CLI.stderr("fetch: \(a.name): \(error)")
        failed.append(a.name)
      }
    }
    if !failed.isEmpty { throw ScriptFailure(text: "edgelab fetch: failed: \(failed.joined(separator: ", "))") }
  }
}
