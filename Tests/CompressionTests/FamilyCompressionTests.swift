// Pruning and quantization of the non-Llama families keep their extra tensors right: Qwen3's shared Q/K head norms
// stay, Qwen2's Q/K/V biases are pruned with their heads, and the exported GGUF (qwen3.* / qwen2.* keys, per-layer
// head counts) reloads to the same logits. Models: the transformers-built fixtures of LLMTests (families/*.gguf).
import Foundation
import XCTest
import LLM
@testable import Compression

final class FamilyCompressionTests: XCTestCase {
  static let fixtures: String = {
    var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(2)  // CompressionTests/FamilyCompressionTests.swift
    return parts.joined(separator: "/") + "/LLMTests/Fixtures/families"
  }()

  /// Pruning heads (whole KV groups) and FFN channels equals zeroing their contributions, for each family.
  func testPrunedEqualsZeroedPerFamily() throws {
    for family in ["qwen3", "qwen2", "llama31", "mistral"] {
      let m = try LlamaModel.load(path: Self.fixtures + "/\(family).gguf")
      let windows = Tiny.windows(m, count: 3, length: 12)
      let stats = try Calibration.collect(model: m, windows: windows)
      let plan = try Pruner.plan(model: m, stats: stats, options: PruneOptions(ffnRatio: 0.3, headRatio: 0.5, headMode: .kvGroups, criterion: .flap))
      let small = try Pruner.apply(model: m, plan: plan)
      XCTAssertEqual(small.config.kvHeads, [1, 1], family)
      XCTAssertEqual(small.config.family, m.config.family)
      if m.config.family == .qwen3 { XCTAssertEqual(small.layers[0].qNorm, m.layers[0].qNorm) }
      if m.config.family == .qwen2 { XCTAssertEqual(small.layers[0].qBias?.count, 2 * m.config.headDim) }
      let hd = m.config.headDim, heads = m.config.heads[0], ffn = m.config.ffn[0]
      let zeroed = try m.replacing { l, L in
        let goneH = Set(0..<heads).subtracting(plan.keepHeads[l]).flatMap { h in (h * hd)..<((h + 1) * hd) }
        L.wo = try zeroCols(L.wo, goneH)
        L.down = try zeroCols(L.down, Array(Set(0..<ffn).subtracting(plan.keepFFN[l])))
      }
      let t = Tiny.windows(m, count: 1, length: 12, seed: 99)[0]
      XCTAssertLessThan(Tiny.maxDiff(try Tiny.logits(small, t), try Tiny.logits(zeroed, t)), 1e-4, family)
    }
  }

  /// Pruned + RTN-quantized Qwen3 exported to GGUF carries qwen3.* keys and the norms, and reloads identically.
  func testPrunedQuantizedQwen3ExportsToGGUF() throws {
    let m = try LlamaModel.load(path: Self.fixtures + "/qwen3.gguf")
    let stats = try Calibration.collect(model: m, windows: Tiny.windows(m, count: 3, length: 12))
    let plan = try Pruner.plan(model: m, stats: stats, options: PruneOptions(ffnRatio: 0.3, headRatio: 0.5, criterion: .flap))
    let small = try Pruner.apply(model: m, plan: plan)
    let q = try ModelQuantizer.quantize(small, options: ModelQuantOptions(rules: .standard(linear: .q8_0))).model
    XCTAssertTrue(q.isQuantized)
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("qwen3-pq-\(getpid()).gguf").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try q.save(path)
    let f = try GGUFFile.load(path: path)
    XCTAssertEqual(try f.string("general.architecture"), "qwen3")
    XCTAssertEqual(f["qwen3.attention.key_length"]?.int, 24)
    XCTAssertNotNil(f["qwen3.attention.head_count"]); XCTAssertNil(f["llama.attention.head_count"])
    XCTAssertNotNil(f.tensor("blk.1.attn_k_norm.weight"))
    let back = try LlamaModel.load(path: path, keepQuantized: true)
    let t = Tiny.windows(m, count: 1, length: 12, seed: 5)[0]
    XCTAssertEqual(try Tiny.logits(back, t), try Tiny.logits(q, t))
    // And the quantized model stays near the F32 pruned one: Q8_0 weights, 8-bit activations in the int8 kernels,
    // logits up to ≈ 6 (measured max |Δ| 0.107); a wrong norm or head order would move them by whole units.
    XCTAssertLessThan(Tiny.maxDiff(try Tiny.logits(q, t), try Tiny.logits(small, t)), 0.25)
  }
}
