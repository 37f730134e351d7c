// The whole suite on the bigram test model and fixture data: all four metrics, report, card, determinism.
@testable import Evaluation
import EdgeProfiles
import Foundation
import XCTest

final class SuiteTests: XCTestCase {
  var dir = ""

  override func setUpWithError() throws {
    dir = NSTemporaryDirectory() + "edgelab-suite-\(UUID().uuidString)"
    let fm = FileManager.default
    for t in BigBench.generalizationTasks + ["truthful_qa"] {
      try fm.createDirectory(atPath: "\(dir)/bigbench/\(t)", withIntermediateDirectories: true)
    }
    try fm.createDirectory(atPath: "\(dir)/halueval", withIntermediateDirectories: true)
    for t in BigBench.generalizationTasks {
      let ex = (0..<12).map { i in
        "{\"input\": \"q\(i) ab\", \"target_scores\": {\"a\": \(i % 2), \"bbbb\": \(1 - i % 2), \"c\": 0}}"
      }.joined(separator: ",")
      try "{\"examples\": [\(ex)]}".write(toFile: "\(dir)/bigbench/\(t)/task.json", atomically: true, encoding: .utf8)
    }
    let tq = (0..<10).map { i in "{\"input\": \"t\(i)?\", \"target_scores\": {\"ab\": 1, \"b\": 0, \"cc\": 0}}" }
    try "{\"task_prefix\": \"Q: a\\nA: b\\n\", \"example_input_prefix\": \"\\nQ: \", \"example_output_prefix\": \"\\nA: \", \"examples\": [\(tq.joined(separator: ","))]}"
      .write(toFile: "\(dir)/bigbench/truthful_qa/task_mc.json", atomically: true, encoding: .utf8)
    let qa = (0..<20).map { i in
      "{\"knowledge\": \"k\(i) a b\", \"question\": \"q\(i)\", \"right_answer\": \"a\", \"hallucinated_answer\": \"bbb c b\"}"
    }
    try qa.joined(separator: "\n").write(toFile: "\(dir)/halueval/dataset_halueval_qa.jsonl", atomically: true, encoding: .utf8)
    // Distinct words per document: documents sharing a 12-word run are near-duplicates and share a split
    // (TextSplits), which would put every document on one side.
    let docs = (0..<60).map { i in
      let words = (0..<20).map { "ab\(i)b\($0)" }.joined(separator: " ")
      return "{\"document\": \"doc \(i) ab ab c: b \(words)\", \"right_summary\": \"a\", \"hallucinated_summary\": \"b\"}"
    }
    try docs.joined(separator: "\n").write(toFile: "\(dir)/halueval/dataset_halueval_summarization.jsonl", atomically: true, encoding: .utf8)
  }
  override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

  let footprint = ModelFootprint(params: 135e6, storageBytes: 98e6, flopsPerToken: 270e6, bytesPerToken: 98e6,
                                 kvBytesPerToken: 2 * 30 * 3 * 64 * 4)

  func config() -> SuiteConfig {
    var c = SuiteConfig.smoke
    c.dataDir = dir
    c.itemsPerTask = 6
    return c
  }

  func testSuiteReportsFourMetricsAndACard() throws {
    let m = BigramModel()
    let r = try Suite.run(model: m, footprint: footprint, config: config())
    XCTAssertEqual(r.generalization!.tasks.count, 4)
    XCTAssertEqual(r.generalization!.acc.n, 24)
    XCTAssertTrue(r.generalization!.acc.lo <= r.generalization!.acc.mean && r.generalization!.acc.mean <= r.generalization!.acc.hi)
    XCTAssertEqual(r.hallucination!.haluEvalQA.n, 8)
    XCTAssertEqual(r.hallucination!.truthfulQA.n, 5)
    XCTAssertGreaterThan(r.generalization!.perplexity.perplexity, 1)
    XCTAssertNil(r.generalization!.divergence)
    XCTAssertEqual(r.energy!.perDevice.count, DeviceProfile.builtIn.count)
    XCTAssertNotNil(r.energy!.host)
    XCTAssertEqual(r.energy!.host?.outputTokens, 8)
    XCTAssertEqual(r.accessibility!.perDevice.count, DeviceProfile.builtIn.count)
    XCTAssertEqual(r.accessibility!.populationFraction, 1, accuracy: 1e-12)  // 98 MB fits everywhere
    let report = r.report()
    if ProcessInfo.processInfo.environment["EDGELAB_PRINT_REPORT"] != nil { print(report) }
    for h in ["## 1. Generalization accuracy", "## 2. Hallucination rate", "## 3. Energy per query", "## 4. Accessibility",
              "KL divergence", "95%"] {
      XCTAssertTrue(report.contains(h), h)
    }
    let card = try r.card(name: "bigram-test")
    try card.validate()
    XCTAssertEqual(card.source, .measured)
    XCTAssertNotNil(card.tasks[TaskClass.knowledge])
    XCTAssertNotNil(card.tasks[TaskClass.truthfulness])
    XCTAssertEqual(card.devices?.count, DeviceProfile.builtIn.count)
    XCTAssertEqual(try ModelCard.decodeCards(try ModelCard.encodeJSON([card])), [card])
    // Same seed ⇒ same scores (timings aside).
    let r2 = try Suite.run(model: m, footprint: footprint, config: config())
    XCTAssertEqual(r2.generalization!.tasks, r.generalization!.tasks)
    XCTAssertEqual(r2.hallucination!.haluEvalQA, r.hallucination!.haluEvalQA)
    XCTAssertEqual(r2.hallucination!.truthfulQAItems, r.hallucination!.truthfulQAItems)
  }

  func testVariantAgainstBase() throws {
    let baseModel = BigramModel()
    let cfg = config()
    let baseResults = try Suite.run(model: baseModel, footprint: footprint, config: cfg)
    var w = BigramModel().weights
    w[1] = [1, 1, 1, 6, 1, 1]  // the variant prefers "b" after a space
    let variant = BigramModel(weights: w)
    var noHost = cfg; noHost.measureHost = false
    let r = try Suite.run(model: variant, footprint: footprint, config: noHost,
                          base: BaseReference(model: baseModel, results: baseResults))
    let d = try XCTUnwrap(r.generalization!.divergence)
    XCTAssertGreaterThan(d.kld.mean, 0)
    XCTAssertLessThan(d.sameTopToken, 1)
    XCTAssertEqual(d.reference.perplexity, baseResults.generalization!.perplexity.perplexity, accuracy: 1e-9)
    // Flip rate and paired delta against a plain recount over the items.
    let vi = r.generalization!.tasks.flatMap(\.items), bi = baseResults.generalization!.tasks.flatMap(\.items)
    let flips = zip(vi, bi).filter { $0.predicted != $1.predicted }.count
    XCTAssertEqual(try XCTUnwrap(r.generalization!.flipRateVsBase), Double(flips) / Double(vi.count), accuracy: 1e-12)
    let hv = r.hallucination!.haluEvalItems, hb = baseResults.hallucination!.haluEvalItems
    let delta = zip(hv, hb).map { (1 - $0.accNorm) - (1 - $1.accNorm) }.reduce(0, +) / Double(hv.count)
    XCTAssertEqual(try XCTUnwrap(r.hallucination!.haluEvalDeltaVsBase).mean, delta, accuracy: 1e-12)
    XCTAssertTrue(r.report().contains("Answer-flip rate"))
    // Base results from a different configuration are refused.
    var other = noHost; other.itemsPerTask = 3
    XCTAssertThrowsError(try Suite.run(model: variant, footprint: footprint, config: other,
                                       base: BaseReference(results: baseResults)))
  }

  func testConfigDecodesPartialJSONAndRejectsBadValues() throws {
    let c = try JSONDecoder().decode(SuiteConfig.self, from: Data("{\"seed\": 9, \"itemsPerTask\": null}".utf8))
    XCTAssertEqual(c.seed, 9)
    XCTAssertNil(c.itemsPerTask)
    XCTAssertEqual(c.haluEvalItems, 100)
    // "All items" round-trips (written as 0, read back as all) instead of falling back to the default count.
    var all = SuiteConfig(); all.itemsPerTask = nil; all.truthfulQAItems = nil
    let again = try JSONDecoder().decode(SuiteConfig.self, from: JSONEncoder().encode(all))
    XCTAssertEqual(again, all)
    XCTAssertNil(again.itemsPerTask); XCTAssertNil(again.truthfulQAItems); XCTAssertEqual(again.haluEvalItems, 100)
    var bad = SuiteConfig(); bad.perplexityContext = 2
    XCTAssertThrowsError(try bad.validate())
    var missing = SuiteConfig(); missing.dataDir = dir + "/nowhere"
    XCTAssertThrowsError(try Suite.run(model: BigramModel(), footprint: footprint, config: missing)) { e in
      XCTAssertTrue("\(e)".contains("edgelab fetch"))
    }
  }
}
