import Foundation

/// One benchmark suite: `edgelab bench <name>`. A suite measures, records into the report, and the CLI
/// writes outputs/bench/<name>.json (with the machine load seen before and after).
struct BenchSuite {
  let name: String
  let summary: String
  let run: (BenchReport) throws -> Void
}

/// The registry. ONE LINE PER SUITE: each owner adds `Bench+<Suite>.swift` defining
/// `extension BenchSuite { static let <suite> = BenchSuite(name:summary:run:) }` and one line below
/// (keep the blank lines between entries: they keep parallel edits merge-clean).
enum BenchRegistry {
  static let suites: [BenchSuite] = [
    .host,

    .tensor,

    .llm,

    .mec,

    .rl,

    .lab,

    .quant,

    .eval,

    .ecld,

    .scale,

    .kernels,

  ]

  static func suite(named name: String) -> BenchSuite? { suites.first { $0.name == name } }
}
