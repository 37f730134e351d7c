// The real default model (skipped when assets/models has no SmolLM2): the scorer agrees with the LLM
// module's own continuation scoring (an independent implementation), prefix reuse changes nothing, and
// the footprint matches SmolLM2's architecture.
@testable import Evaluation
import EdgeProfiles
import Foundation
import LLM
import XCTest

final class SmolLM2Tests: XCTestCase {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path
  static let path = root + "/assets/models/SmolLM2-135M-Instruct.Q4_1.gguf"
  static var cached: LlamaScoringModel?

  func model() throws -> LlamaScoringModel {
    if let m = Self.cached { return m }
    guard FileManager.default.fileExists(atPath: Self.path) else {
      throw XCTSkip("SmolLM2 not fetched (\(Self.path)); run `edgelab fetch`")
    }
    let m = LlamaScoringModel(try LlamaModel.load(path: Self.path), name: "smollm2-135m",
                              storageBytes: try LlamaScoringModel.ggufTensorBytes(path: Self.path))
    Self.cached = m
    return m
  }

  func testScorerAgreesWithLLMContinuationLogprobs() throws {
    let m = try model()
    let context = "Question: What is the capital of France?\nAnswer:"
    let choices = ["Paris", "London", "a small village in the mountains"]
    let a = try Scorer.score(model: m, context: context, continuations: choices, reusePrefix: true)
    let b = try Scorer.score(model: m, context: context, continuations: choices, reusePrefix: false)
    let ctx = m.prefixTokens + m.tokenize(context)
    let ref = try m.model.continuationLogprobs(
      context: ctx, continuations: choices.map { Array((m.prefixTokens + m.tokenize(context + " " + $0)).dropFirst(ctx.count)) })
    for i in choices.indices {
      XCTAssertEqual(a[i].logLikelihood, b[i].logLikelihood, accuracy: 1e-3)
      XCTAssertEqual(a[i].logLikelihood, ref[i].reduce(0, +), accuracy: 1e-3)
    }
    XCTAssertGreaterThan(a[0].logLikelihood, a[1].logLikelihood)  // Paris beats London
  }

  func testFootprintOfSmolLM2() throws {
    let f = try model().footprint
    XCTAssertEqual(f.params / 1e6, 134.5, accuracy: 1.0)  // 134.5 M with tied embeddings
    XCTAssertEqual(f.kvBytesPerToken, 2 * 30 * 3 * 64 * 2)  // 30 layers, 3 KV heads × 64, fp16
    // token_embd Q8_0: 49152·576·34/32 B; 30 layers of Q4_1 matrices (576·576·2 + 576·192·2 + 3·576·1536
    // weights at 20/32 B each); F32 norms (30·2 + 1)·576·4 B
    let emb: Double = 49152.0 * 576.0 * 34.0 / 32.0
    let perLayer: Double = 576.0 * 576.0 * 2.0 + 576.0 * 192.0 * 2.0 + 3.0 * 576.0 * 1536.0
    let norms: Double = 61.0 * 576.0 * 4.0
    let hand: Double = emb + 30.0 * perLayer * 20.0 / 32.0 + norms
    XCTAssertEqual(f.storageBytes, hand, accuracy: 1)
    XCTAssertEqual(f.flopsPerToken / 2 / f.params, 1, accuracy: 0.01)
  }
}

/// The default suite on SmolLM2 (slow: set EDGELAB_SLOW_TESTS=1; release build recommended). Writes the
/// report and the model card to outputs/eval/smollm2-135m/.
final class SmolLM2SuiteTests: XCTestCase {
  func testDefaultSuiteOnSmolLM2() throws {
    guard ProcessInfo.processInfo.environment["EDGELAB_SLOW_TESTS"] == "1" else {
      throw XCTSkip("set EDGELAB_SLOW_TESTS=1 to run the default suite on SmolLM2")
    }
    guard FileManager.default.fileExists(atPath: SmolLM2Tests.path) else { throw XCTSkip("SmolLM2 not fetched") }
    let m = LlamaScoringModel(try LlamaModel.load(path: SmolLM2Tests.path), name: "smollm2-135m",
                              storageBytes: try LlamaScoringModel.ggufTensorBytes(path: SmolLM2Tests.path))
    var cfg = SuiteConfig()
    cfg.dataDir = SmolLM2Tests.root + "/assets/data"
    if let n = ProcessInfo.processInfo.environment["EDGELAB_EVAL_ITEMS"].flatMap(Int.init) { cfg.itemsPerTask = n }
    let r = try Suite.run(model: m, footprint: m.footprint, config: cfg) { line in
      if ProcessInfo.processInfo.environment["EDGELAB_VERBOSE"] != nil { print(line) }
    }
    let out = SmolLM2Tests.root + "/outputs/eval/smollm2-135m"
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    try r.report().write(toFile: out + "/report.md", atomically: true, encoding: .utf8)
    try ModelCard.save([try r.card()], path: out + "/card.json")
    try ModelCard.encodeJSON(r).write(to: URL(fileURLWithPath: out + "/results.json"))
    print(r.report())
    let gk = try XCTUnwrap(r.generalization!.tasks.first { $0.name == "general_knowledge" })
    XCTAssertGreaterThan(gk.acc.lo, gk.chance, "general_knowledge accuracy must be clearly above chance")
  }
}
