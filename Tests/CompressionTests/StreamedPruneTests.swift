// Layer-streamed pruning + refit against the in-memory path (Calibration.collect → Pruner.plan → Pruner.apply →
// Refit.apply): the same plan and the same weights, bit for bit, for width, head (both modes) and depth pruning.
import Foundation
import LLM
import XCTest
@testable import Compression

final class StreamedPruneTests: XCTestCase {
  func inMemory(_ m: LlamaModel, _ o: PruneOptions, refit: Bool, _ w: [[Int32]]) throws -> (PrunePlan, LlamaModel) {
    let plan = try Pruner.plan(model: m, stats: try Calibration.collect(model: m, windows: w), options: o)
    let pruned = try Pruner.apply(model: m, plan: plan)
    return (plan, refit ? try Refit.apply(original: m, pruned: pruned, plan: plan, windows: w) : pruned)
  }

  func streamed(_ m: LlamaModel, _ o: PruneOptions, refit: Bool, _ w: [[Int32]]) throws -> (StreamedPruner, [LlamaLayer], [Int]) {
    var loads: [Int] = []
    let s = try StreamedPruner(config: m.config, tokenizer: m.tokenizer, embedding: m.embedding, outputNorm: m.outputNorm,
                               options: o, refit: refit, windows: w) { l in loads.append(l); return m.layers[l] }
    var out: [LlamaLayer] = []
    while !s.isFinished { out.append(try s.next()) }
    return (s, out, loads)
  }

  func assertSame(_ a: LlamaLayer, _ b: LlamaLayer, _ what: String) throws {
    for name in ["attn_q.weight", "attn_k.weight", "attn_v.weight", "attn_output.weight", "ffn_gate.weight", "ffn_up.weight", "ffn_down.weight"] {
      let x = try a.matrix(name).map { try $0.floats() }, y = try b.matrix(name).map { try $0.floats() }
      XCTAssertEqual(x, y, "\(what): \(name)")
    }
  }

  func testStreamedEqualsInMemoryBitForBit() throws {
    let m = try Tiny.model(layers: 4, heads: 4, kv: 2, ffn: 96)
    let w = Tiny.windows(m, count: 3, length: 20)
    let cases: [(String, PruneOptions, Bool)] = [
      ("ffn 25 % + heads within groups, refit", PruneOptions(ffnRatio: 0.25, headRatio: 0.5, headMode: .withinGroups), true),
      ("kv groups + ffn, refit", PruneOptions(ffnRatio: 0.4, headRatio: 0.5, headMode: .kvGroups), true),
      ("depth 1 + ffn, refit", PruneOptions(ffnRatio: 0.3, dropLayers: 1), true),
      ("depth 2, flap, no refit", PruneOptions(ffnRatio: 0.3, headRatio: 0.5, dropLayers: 2, criterion: .flap), false),
    ]
    for (what, o, refit) in cases {
      let (plan, reference) = try inMemory(m, o, refit: refit, w)
      let (s, layers, loads) = try streamed(m, o, refit: refit, w)
      // Dropped layers: the in-memory plan still lists their heads / channels, the streamed one leaves them empty.
      XCTAssertEqual(s.plan.keepLayers, plan.keepLayers, what)
      for l in plan.keepLayers {
        XCTAssertEqual([s.plan.keepHeads[l], s.plan.keepKV[l], s.plan.keepFFN[l]], [plan.keepHeads[l], plan.keepKV[l], plan.keepFFN[l]], "\(what), layer \(l)")
      }
      XCTAssertEqual(s.prunedConfig, reference.config, what)
      XCTAssertEqual(layers.count, reference.layers.count, what)
      for (j, L) in layers.enumerated() { try assertSame(L, reference.layers[j], "\(what), block \(j)") }
      // One read of each block up to the last kept one, and one more pass first with depth pruning.
      let last = plan.keepLayers.last!
      XCTAssertEqual(loads, (o.dropLayers > 0 ? Array(0..<m.config.layers) : []) + Array(0...last), what)
    }
  }

  func testRefitChangesTheProjections() throws {
    // Guard against a vacuous comparison: with the refit the pruned projections differ from plain pruning.
    let m = try Tiny.model(layers: 2)
    let w = Tiny.windows(m)
    let o = PruneOptions(ffnRatio: 0.25, headRatio: 0.5)
    let (_, plain, _) = try streamed(m, o, refit: false, w)
    let (_, refit, _) = try streamed(m, o, refit: true, w)
    XCTAssertNotEqual(try plain[0].down!.floats(), try refit[0].down!.floats())
    XCTAssertNotEqual(try plain[0].wo!.floats(), try refit[0].wo!.floats())
    XCTAssertEqual(try plain[0].gate!.floats(), try refit[0].gate!.floats())
  }

  func testBadUse() throws {
    let m = try Tiny.model(layers: 2)
    XCTAssertThrowsError(try streamed(m, PruneOptions(ffnRatio: 0.25), refit: true, [])) { e in
      XCTAssertTrue("\(e)".contains("calibration windows"), "\(e)")
    }
    XCTAssertThrowsError(try streamed(m, PruneOptions(dropLayers: 2), refit: false, Tiny.windows(m))) { e in
      XCTAssertTrue("\(e)".contains("drop_layers"), "\(e)")
    }
    let (s, _, _) = try streamed(m, PruneOptions(ffnRatio: 0.25, criterion: .magnitude), refit: false, [])
    XCTAssertThrowsError(try s.next()) { e in XCTAssertTrue("\(e)".contains("already handed out"), "\(e)") }
  }
}
