// The measurement API: llama.cpp's perplexity protocol against a hand recount (plain log-softmax over the
// forward logits of each chunk), with and without BOS; special-token parsing shared by encode, logprobs and
// perplexity; generation reporting the stop token.
import XCTest
import Foundation
@testable import LLM

final class MeasurementAPITests: XCTestCase {
  static let text = String(repeating: "hello world, the quick brown fox 42 jumps; ", count: 6)

  /// The tiny model, optionally with a tokenizer that adds BOS (id 1) like llama-family files that set add_bos.
  func model(addBOS: Bool) throws -> LlamaModel {
    let m = try ModelIOTests.tinyModel(seed: 3)
    guard addBOS else { return m }
    let t = m.tokenizer
    let tok = try Tokenizer(tokens: t.tokens, tokenTypes: t.tokenTypes, merges: t.merges, preTokenizer: t.preTokenizer,
                            preTokenizerName: t.preTokenizerName, bosID: 1, eosID: 2, addBOS: true)
    return try LlamaModel(config: m.config, tokenizer: tok, embedding: m.embedding, layers: m.layers,
                          outputNorm: m.outputNorm, output: m.output)
  }

  /// −log p(target | row) from a logit row, in Double (independent of the library's log-softmax).
  func nll(_ row: ArraySlice<Float>, _ target: Int32) -> Double {
    let m = Double(row.max()!)
    let lse = m + log(row.reduce(0.0) { $0 + exp(Double($1) - m) })
    return lse - Double(row[row.startIndex + Int(target)])
  }

  func testLlamaCppProtocolEqualsHandRecount() throws {
    for addBOS in [false, true] {
      let m = try model(addBOS: addBOS)
      var ids = m.tokenizer.encode(Self.text)
      let ctx = 16, V = m.config.vocabSize
      let r = try m.perplexity(tokens: ids, ctx: ctx, protocol: .llamaCpp)
      // Hand recount: BOS first (when added), ⌊n/ctx⌋ chunks, BOS over each chunk's first token, score
      // positions ctx/2 … ctx−2 predicting the next token.
      if addBOS && ids.first != 1 { ids.insert(1, at: 0) }   // encode already adds it when the tokenizer does
      var total = 0.0, n = 0
      for k in 0..<(ids.count / ctx) {
        var chunk = Array(ids[(k * ctx)..<((k + 1) * ctx)])
        if addBOS { chunk[0] = 1 }
        var cache = m.makeCache()
        let logits = try m.forward(tokens: chunk, cache: &cache)
        for j in (ctx / 2)..<(ctx - 1) { total += nll(logits[(j * V)..<((j + 1) * V)], chunk[j + 1]); n += 1 }
      }
      XCTAssertEqual(r.scoredTokens, n)
      XCTAssertEqual(r.scoredTokens, (ids.count / ctx) * (ctx / 2 - 1))
      XCTAssertEqual(r.windows, ids.count / ctx)
      XCTAssertEqual(r.perplexity, exp(total / Double(n)), accuracy: 1e-6 * r.perplexity, "addBOS \(addBOS)")   // Float vs Double log-softmax
      // The full protocol scores more tokens (all but each window's first).
      let full = try m.perplexity(tokens: m.tokenizer.encode(Self.text), ctx: ctx, protocol: .full)
      XCTAssertGreaterThan(full.scoredTokens, r.scoredTokens)
    }
    let m = try model(addBOS: false)
    XCTAssertThrowsError(try m.perplexity(tokens: Array(m.tokenizer.encode(Self.text).prefix(20)), ctx: 16, protocol: .llamaCpp)) { e in
      XCTAssertTrue("\(e)".contains("2·ctx"), "\(e)")
    }
  }

  func testSpecialTokensParsedAlikeInEncodeLogprobsAndPerplexity() throws {
    let m = try model(addBOS: false)
    let chat = "<|im_start|>user\nhello<|im_end|>\n<|im_start|>assistant\nhello world 42"
    let ids = m.tokenizer.encode(chat)
    XCTAssertEqual(ids.first, 1)
    XCTAssertEqual(try m.logprobs(chat).tokens, ids)
    XCTAssertEqual(try m.perplexity(chat, ctx: 8).perplexity, try m.perplexity(tokens: ids, ctx: 8).perplexity)
    let plain = m.tokenizer.encode(chat, parseSpecial: false)
    XCTAssertNotEqual(plain, ids)
    XCTAssertEqual(try m.logprobs(chat, parseSpecial: false).tokens, plain)
  }

  func testGenerationReportsTheStopToken() throws {
    let m = try model(addBOS: false)
    let r = try m.generate(tokens: [1, 70, 80], maxTokens: 5)
    if r.finishReason == "eos" { XCTAssertNotNil(r.stopToken); XCTAssertTrue(m.stopTokens.contains(r.stopToken!)) }
    else { XCTAssertNil(r.stopToken); XCTAssertEqual(r.tokens.count, 5) }
  }

  /// A quantized GGUF loads with its blocks kept (the Lua default; F32 only on request).
  func testQ4_1FileKeepsItsBlocks() throws {
    let m = try ModelIOTests.tinyModel(seed: 4, tied: false)
    func q(_ w: WeightMatrix?) throws -> WeightMatrix? { try w.map { $0.cols % 32 == 0 ? try $0.quantized(as: .q4_1) : $0 } }
    let layers = try m.layers.map { l in
      LlamaLayer(attnNorm: l.attnNorm, wq: try q(l.wq), wk: try q(l.wk), wv: try q(l.wv), wo: try q(l.wo),
                 ffnNorm: l.ffnNorm, gate: try q(l.gate), up: try q(l.up), down: try q(l.down))
    }
    let qm = try LlamaModel(config: m.config, tokenizer: m.tokenizer, embedding: m.embedding, layers: layers,
                            outputNorm: m.outputNorm, output: try q(m.output))
    let path = NSTemporaryDirectory() + "edgelab-q41-\(getpid()).gguf"
    defer { try? FileManager.default.removeItem(atPath: path) }
    try qm.save(path)
    let kept = try LlamaModel.load(path: path, keepQuantized: true)
    XCTAssertTrue(kept.isQuantized)
    XCTAssertEqual(kept.layers.compactMap { $0.wq?.type }, [.q4_1, .q4_1])   // the third layer has no heads
    XCTAssertEqual(kept.output?.type, .q4_1)
    XCTAssertFalse(try LlamaModel.load(path: path, keepQuantized: false).isQuantized)
  }
}
