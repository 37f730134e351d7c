import ArgumentParser
import EdgeLabLua
import Foundation
import LuaBridge

struct FiguresCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "figures", abstract: "Run every experiments/paper/*.lua (the paper's figures and tables).")

  @OptionGroup var options: ScriptOptions
  @Argument(help: "Only scripts whose file name contains one of these words.") var only: [String] = []
  @Option(help: ArgumentHelp("Folder of figure scripts (default: <repo>/experiments/paper).", visibility: .hidden))
  var dir: String?

  func run() throws {
    let dir = self.dir.map { URL(fileURLWithPath: $0) } ?? CLI.repoRoot().appendingPathComponent("experiments/paper")
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
      .filter { $0.hasSuffix(".lua") }
      .filter { n in only.isEmpty || only.contains { n.dropLast(4).contains($0) } }
      .sorted()
    guard !names.isEmpty else {
      throw ScriptFailure(text: "edgelab figures: no scripts in \(dir.path)" + (only.isEmpty ? "" : " matching \(only)"))
    }
    var failures: [String] = []
    for name in names {
      let path = dir.appendingPathComponent(name).path
      let start = Date()
      print("figures: \(name) ...")
      let session = try options.session(script: path)
      do {
        let state = try EdgeLab.makeState(session: session)
        defer { state.close() }
        try EdgeLab.runScript(path, in: state, session: session)
        print("figures: \(name) ok (" + String(format: "%.1f s", Date().timeIntervalSince(start)) + ")")
      } catch {
        CLI.stderr(CLI.format(error))
        failures.append(name)
        if (error as? LuaError)?.isInterrupt == true { break }
      }
    }
    if !failures.isEmpty {
      throw ScriptFailure(text: "edgelab figures: \(failures.count) of \(names.count) failed: \(failures.joined(separator: ", "))")
    }
    print("figures: all \(names.count) done")
  }
}
