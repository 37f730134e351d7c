import Foundation
import XCTest

/// experiments/paper/fig_ecld_pareto.lua resumes a stopped run (edgelab.store): the smoke profile run three times
/// against one `scored` folder — fresh, fully kept, and with one variant's suite removed — gives the same tables
/// (apart from the timing columns), and the later runs rebuild and rescore only the variants that are missing.
final class ECLDFigureResumeTests: XCTestCase {
  func testFigureResumesFromScoredVariants() throws {
    guard let exe = Repo.binary else { throw XCTSkip("edgelab binary not built next to the tests") }
    let script = "experiments/paper/fig_ecld_pareto.lua"
    let text = try String(contentsOf: Repo.root.appendingPathComponent(script), encoding: .utf8)
    let missing = ExperimentSmokeTests.neededAssets(text).filter {
      !FileManager.default.fileExists(atPath: Repo.root.appendingPathComponent("assets/" + $0).path)
    }
    if !missing.isEmpty { throw XCTSkip("missing assets/\(missing.joined(separator: ", assets/"))") }
    let scratch = try Repo.tempDir("ecld-resume")
    defer { try? FileManager.default.removeItem(at: scratch) }
    let scored = scratch.appendingPathComponent("scored")

    func run(_ extra: [String] = [], outputs: URL? = nil) throws -> (log: String, variants: [String], verdict: String) {
      let outputs = outputs ?? scratch
      let r = try CLIRunner.run(exe, ["run", script, "--smoke", "--set", "scored=\(scored.path)"] + extra, cwd: Repo.root,
                                env: ["EDGELAB_OUTPUTS": outputs.path], timeout: 600)
      XCTAssertEqual(r.status, 0, r.stderr.suffix(3000).description)
      let folder = outputs.appendingPathComponent("paper/fig_ecld_pareto")
      let runs = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0 != "kd-checkpoints" && $0 != "scored" }
      XCTAssertEqual(runs.count, 1, "\(runs)")
      let dir = folder.appendingPathComponent(runs[0])
      // The last three columns are timings (compress_s, kd_tokens_per_s, eval_s): they differ between runs.
      let rows = try String(contentsOf: dir.appendingPathComponent("variants.csv"), encoding: .utf8)
        .split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).dropLast(3).joined(separator: ",") }
      return (r.stdout, rows, try String(contentsOf: dir.appendingPathComponent("verdict.csv"), encoding: .utf8))
    }

    let first = try run()
    XCTAssertTrue(first.log.contains("variants: 0 kept from earlier runs, 3 built, 3 suites scored now"), first.log)
    let kept = try run()
    XCTAssertTrue(kept.log.contains("variants: 3 kept from earlier runs, 0 built, 0 suites scored now"), kept.log)
    XCTAssertFalse(kept.log.contains("divergence on"), "nothing is scored again")
    XCTAssertEqual(first.variants, kept.variants)
    XCTAssertEqual(first.verdict, kept.verdict)

    // A run stopped after the divergence of the quantization-only group but before one of its suites.
    let stores = try FileManager.default.contentsOfDirectory(atPath: scored.path)
    XCTAssertEqual(stores.count, 1, "one identity, one store folder")
    let suite = scored.appendingPathComponent(stores[0]).appendingPathComponent("rtn-q4_0-q4_0.suite.lua")
    try FileManager.default.removeItem(at: suite)
    // `partial = true`: the figure of what is scored so far, nothing built; the unscored variant is left out.
    let partial = try run(["--set", "partial=true"], outputs: scratch.appendingPathComponent("partial"))
    XCTAssertTrue(partial.log.contains("variants: 2 kept from earlier runs, 0 built, 0 suites scored now"), partial.log)
    XCTAssertTrue(partial.log.contains("partial: 1 variants not yet scored are left out"), partial.log)
    XCTAssertEqual(partial.variants, first.variants.filter { !$0.contains(",rtn-q4_0-q4_0,") })
    XCTAssertEqual(partial.variants.count, first.variants.count - 1)
    let resumed = try run()
    XCTAssertTrue(resumed.log.contains("variants: 2 kept from earlier runs, 1 built, 1 suites scored now"), resumed.log)
    XCTAssertFalse(resumed.log.contains("divergence on"), "the kept divergence is not recomputed")
    XCTAssertEqual(first.variants, resumed.variants)
    XCTAssertEqual(first.verdict, resumed.verdict)
  }
}
