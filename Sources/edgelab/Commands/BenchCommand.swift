import ArgumentParser
import Foundation

struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench", abstract: "Run a benchmark suite; writes outputs/bench/<suite>.json.",
    discussion: "Suites: " + BenchRegistry.suites.map { "\($0.name) (\($0.summary))" }.joined(separator: "; "))

  @Argument(help: "Suite name, or 'list'.") var suite: String
  @Flag(help: "Smaller sizes (a quick check, not a measurement).") var quick = false
  @Option(help: "Output folder (default: $EDGELAB_OUTPUTS/bench, else <repo>/outputs/bench).") var out: String?
  @Flag(name: .customLong("compare-llamacpp"),
        help: "Suite llm only: run EdgeLab and llama.cpp's llama-bench side by side on Q4_0/Q8_0 files (instead of the usual measurements).")
  var compareLlamacpp = false
  @Option(name: .customLong("llama-bench"), help: "The llama-bench executable for --compare-llamacpp (default: llama-bench on PATH).")
  var llamaBench: String?

  func run() throws {
    if suite == "list" {
      for s in BenchRegistry.suites { print("\(s.name)\t\(s.summary)") }
      return
    }
    guard let s = BenchRegistry.suite(named: suite) else {
      throw ValidationError("unknown suite '\(suite)'; known: \(BenchRegistry.suites.map(\.name).joined(separator: ", "))")
    }
    let outputs = ProcessInfo.processInfo.environment["EDGELAB_OUTPUTS"].map { URL(fileURLWithPath: $0) }
      ?? CLI.repoRoot().appendingPathComponent("outputs")
    let dir = out.map { URL(fileURLWithPath: $0) } ?? outputs.appendingPathComponent("bench")
    if compareLlamacpp && s.name != "llm" { throw ValidationError("--compare-llamacpp applies to the llm suite only") }
    if llamaBench != nil && !compareLlamacpp { throw ValidationError("--llama-bench needs --compare-llamacpp") }
    let report = BenchReport(suite: s.name, outputDir: dir, quick: quick,
                             llamaBench: compareLlamacpp ? (llamaBench ?? "llama-bench") : nil)
    print("bench \(s.name): \(s.summary) (load \(report.loadBefore.map { String($0) }.joined(separator: " ")))")
    do { try s.run(report) } catch { throw ScriptFailure(text: "edgelab bench \(s.name): \(error)") }
    let url = try report.write()
    print("bench \(s.name): wrote \(url.path)")
  }
}
