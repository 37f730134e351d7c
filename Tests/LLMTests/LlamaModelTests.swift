import XCTest
import Foundation
@testable import LLM

/// Checks against tools/reference/llm_reference.py (numpy Llama in HF convention on gguf-dequantized weights).
final class LlamaModelTests: XCTestCase {
  static var f32: LlamaModel?
  static var ref: RefFixture?

  func model() throws -> LlamaModel {
    if let m = Self.f32 { return m }
    let m = try LlamaModel.load(path: TestPaths.requireModel(), keepQuantized: false)
    Self.f32 = m
    return m
  }
  func reference() throws -> RefFixture {
    if let r = Self.ref { return r }
    let r = try JSONDecoder().decode(RefFixture.self, from: Data(TestPaths.readFixture("llm_reference.json")))
    Self.ref = r
    return r
  }

  func testConfigFromFile() throws {
    let c = try model().config
    XCTAssertEqual(c.layers, 30); XCTAssertEqual(c.dim, 576); XCTAssertEqual(c.heads, [Int](repeating: 9, count: 30))
    XCTAssertEqual(c.kvHeads[0], 3); XCTAssertEqual(c.ffn[29], 1536); XCTAssertEqual(c.headDim, 64)
    XCTAssertEqual(c.ropeTheta, 100000); XCTAssertEqual(c.vocabSize, 49152)
    XCTAssertNil(try model().output)  // tied embeddings
    XCTAssertEqual(c.parameterCount(tiedOutput: true), 134_515_008)
  }

  func testLogitsMatchReference() throws {
    let m = try model(), r = try reference()
    let ctxIDs = Array(r.ids.prefix(r.ctx))
    var cache = m.makeCache()
    let logits = try m.forward(tokens: ctxIDs, cache: &cache)
    let refBytes = try TestPaths.readFixture("llm_logits.f32")
    let refLogits = refBytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    XCTAssertEqual(refLogits.count, r.logit_positions.count * r.vocab)
    for (k, p) in r.logit_positions.enumerated() {
      var maxDiff: Float = 0, scale: Float = 0
      for j in 0..<r.vocab {
        maxDiff = max(maxDiff, abs(logits[p * r.vocab + j] - refLogits[k * r.vocab + j]))
        scale = max(scale, abs(refLogits[k * r.vocab + j]))
      }
      print("logits position \(p): max |Δ| \(maxDiff), max |logit| \(scale)")
      XCTAssertLessThan(maxDiff, 2e-3 * scale + 1e-3, "position \(p): max |Δlogit| \(maxDiff) (scale \(scale))")
      let am = (0..<r.vocab).max { logits[p * r.vocab + $0] < logits[p * r.vocab + $1] }!
      let ar = (0..<r.vocab).max { refLogits[k * r.vocab + $0] < refLogits[k * r.vocab + $1] }!
      XCTAssertEqual(am, ar, "argmax at \(p)")
    }
  }

  func testPerplexityMatchesReferenceAndRoPEPairingMatters() throws {
    let m = try model(), r = try reference()
    let ppl = try m.perplexity(tokens: r.ids, ctx: r.ctx)
    XCTAssertEqual(ppl.scoredTokens, r.scored_tokens)
    XCTAssertEqual(ppl.perplexity, r.perplexity, accuracy: 0.001 * r.perplexity, "ppl \(ppl.perplexity) vs reference \(r.perplexity)")
    // The same weights with the half-split rotation (wrong for GGUF Q/K layout) must be far off.
    let wrong = try m.withConfig { $0.ropePairing = .halfSplit }.perplexity(tokens: r.ids, ctx: r.ctx)
    print("perplexity ctx=\(r.ctx): EdgeLab \(ppl.perplexity), numpy reference \(r.perplexity), half-split RoPE \(wrong.perplexity)")
    XCTAssertGreaterThan(wrong.perplexity, 1.3 * r.perplexity, "half-split RoPE ppl \(wrong.perplexity) should be far worse")
  }

  func testGreedyChatNamesParis() throws {
    let m = try model(), r = try reference()
    let out = try m.chat([.user("What is the capital of France?")], maxTokens: 12)
    XCTAssertTrue(out.text.contains("Paris"), "answer: \(out.text)")
    XCTAssertEqual(Array(out.tokens.prefix(6)), Array(r.greedy_ids.prefix(6)), "greedy tokens differ from the numpy reference")
  }

  func testIncrementalDecodingMatchesBatchAndCacheReuse() throws {
    let m = try model(), r = try reference()
    let ids = Array(r.ids.prefix(12))
    var c1 = m.makeCache()
    let batch = try m.forward(tokens: ids, cache: &c1)
    var c2 = m.makeCache()
    _ = try m.forward(tokens: Array(ids.prefix(5)), cache: &c2)
    let fork = c2
    var last: [Float] = []
    for t in ids.dropFirst(5) { last = try m.forward(tokens: [t], cache: &c2, lastOnly: true) }
    let V = m.config.vocabSize
    XCTAssertEqual(c2.count, 12)
    let maxDiff = (0..<V).map { abs(last[$0] - batch[11 * V + $0]) }.max()!
    XCTAssertLessThan(maxDiff, 1e-3)
    // Truncate back to the 5-token prefix and continue: same as the forked copy.
    c2.truncate(to: 5)
    var c3 = fork
    let a = try m.forward(tokens: [ids[5]], cache: &c2, lastOnly: true)
    let b = try m.forward(tokens: [ids[5]], cache: &c3, lastOnly: true)
    XCTAssertEqual(a, b)
    XCTAssertLessThan((0..<V).map { abs(a[$0] - batch[5 * V + $0]) }.max()!, 1e-3)
    // Continuations sharing a context.
    let conts: [[Int32]] = [Array(ids[6..<9]), Array(ids[6..<12])]
    let lp = try m.continuationLogprobs(context: Array(ids.prefix(6)), continuations: conts)
    let full = try m.tokenLogprobs(ids)
    for (x, y) in zip(lp[1], full[5...]) { XCTAssertEqual(x, y, accuracy: 1e-3) }
    XCTAssertEqual(lp[0].count, 3)
  }

  /// Prefill longer than one causal chunk (128 rows) equals the same tokens fed in pieces through the cache.
  func testLongPrefillMatchesChunkedCache() throws {
    let m = try model(), r = try reference()
    let ids = Array(r.ids.prefix(180))
    var c1 = m.makeCache()
    let all = try m.forward(tokens: ids, cache: &c1)
    var c2 = m.makeCache()
    _ = try m.forward(tokens: Array(ids.prefix(40)), cache: &c2)
    let rest = try m.forward(tokens: Array(ids[40...]), cache: &c2)   // pos0 = 40, 140 rows = 2 chunks
    let V = m.config.vocabSize
    for (k, p) in [40, 100, 167, 168, 179].enumerated() {
      let d = (0..<V).map { abs(all[p * V + $0] - rest[(p - 40) * V + $0]) }.max()!
      XCTAssertLessThan(d, 1e-3, "position \(p) (#\(k))")
    }
  }

  func testSamplingIsSeededAndErrorsAreTyped() throws {
    let m = try model()
    let s = Sampling(temperature: 0.8, topK: 40, topP: 0.95, seed: 11)
    let a = try m.generate("Once upon a time", maxTokens: 8, sampling: s)
    let b = try m.generate("Once upon a time", maxTokens: 8, sampling: s)
    XCTAssertEqual(a.tokens, b.tokens)
    XCTAssertEqual(try m.generate("Once upon a time", maxTokens: 6, sampling: .init(temperature: 1, topK: 1, seed: 3)).tokens,
                   try m.generate("Once upon a time", maxTokens: 6).tokens)
    var c = m.makeCache()
    XCTAssertThrowsError(try m.forward(tokens: [999_999], cache: &c)) {
      XCTAssertEqual($0 as? LlamaError, .tokenOutOfRange(999_999, vocab: 49152))
    }
    XCTAssertThrowsError(try m.forward(tokens: [], cache: &c))
  }

  func testKeptQuantizedMatchesDequantized() throws {
    let q = try LlamaModel.load(path: TestPaths.requireModel(), keepQuantized: true)
    let m = try model(), r = try reference()
    XCTAssertTrue(q.layers[0].wq!.isQuantized)
    XCTAssertLessThan(q.weightBytes, m.weightBytes / 4)
    let ids = Array(r.ids.prefix(24))
    defer { QuantizedMatrix.batchActivations = .int8 }
    // F32 batch activations (decoded panels × sgemm): the same math as the dequantized model up to rounding.
    QuantizedMatrix.batchActivations = .float
    var c1 = q.makeCache(), c2 = m.makeCache()
    let a = try q.forward(tokens: ids, cache: &c1), b = try m.forward(tokens: ids, cache: &c2)
    let maxDiff = zip(a, b).map { abs($0 - $1) }.max()!
    XCTAssertLessThan(maxDiff, 0.05, "quantized-kernel logits differ by \(maxDiff)")
    // Int8 batch activations (the default): the int8 GEMM prefill against F32, against a prefill through the int8
    // dot kernels (gemmThreshold raised: the same activation codes, another float order) and token-by-token decoding.
    QuantizedMatrix.batchActivations = .int8
    var c3 = q.makeCache(), c4 = q.makeCache(), c5 = q.makeCache()
    let p = try q.forward(tokens: ids, cache: &c3)
    var d = [Float]()
    for t in ids { d += try q.forward(tokens: [t], cache: &c4) }
    let savedThreshold = QuantizedMatrix.gemmThreshold
    QuantizedMatrix.gemmThreshold = 1 << 20
    let pd = try q.forward(tokens: ids, cache: &c5)
    QuantizedMatrix.gemmThreshold = savedThreshold
    func maxAbs(_ u: [Float], _ v: [Float]) -> Float { zip(u, v).map { abs($0 - $1) }.max()! }
    func meanAbs(_ u: [Float], _ v: [Float]) -> Float { zip(u, v).map { abs($0 - $1) }.reduce(0, +) / Float(u.count) }
    // Mean next-token negative log-likelihood over the 23 scored positions.
    func nll(_ l: [Float]) -> Double { meanNextTokenNLL(l, ids: ids) }
    print("kept Q4_1 logits, mean |Δ|: int8 GEMM prefill vs F32 \(meanAbs(p, b)), vs int8 dot-kernel prefill \(meanAbs(p, pd)), "
          + "dot-kernel prefill vs int8 decode \(meanAbs(pd, d)); max |Δ| GEMM vs F32 \(maxAbs(p, b)); "
          + "NLL F32 \(nll(b)) GEMM \(nll(p)) dot \(nll(pd)) decode \(nll(d))")
    // Int8 activations move SmolLM2's logits by about 0.15 on average (any rounding change does: the dot-kernel
    // prefill and token-by-token decoding, both int8, differ by as much), and the likelihood by under 1 %.
    XCTAssertLessThan(meanAbs(p, b), 0.25)
    XCTAssertLessThan(meanAbs(p, pd), 0.25)
    XCTAssertLessThan(maxAbs(p, b), 2.0)
    XCTAssertEqual(nll(p), nll(b), accuracy: 0.02 * nll(b))
    XCTAssertEqual(nll(p), nll(pd), accuracy: 0.02 * nll(b))
  }
}
