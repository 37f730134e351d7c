import XCTest
import LLM
@testable import Compression

final class PruneTests: XCTestCase {
  func testChannelStatsHandComputed() {
    var s = ChannelStats(cols: 2)
    let x: [Float] = [1, 2, 3, -2]
    x.withUnsafeBufferPointer { s.add($0, rows: 2, cols: 2) }
    XCTAssertEqual(s.mean, [2, 0])
    XCTAssertEqual(s.variance[0], 1, accuracy: 1e-12)   // (1,3): mean 2, var 1
    XCTAssertEqual(s.variance[1], 4, accuracy: 1e-12)   // (2,-2): mean 0, var 4
    XCTAssertEqual(s.rms[1], 2, accuracy: 1e-12)
  }

  func testPrunedEqualsZeroedWithinGroups() throws {
    let m = try Tiny.model()
    let stats = try Calibration.collect(model: m, windows: Tiny.windows(m))
    for crit in PruneCriterion.allCases {
      let plan = try Pruner.plan(model: m, stats: stats, options: PruneOptions(ffnRatio: 0.3, headRatio: 0.5, criterion: crit))
      let small = try Pruner.apply(model: m, plan: plan)
      XCTAssertEqual(small.config.heads, [2, 2, 2]); XCTAssertEqual(small.config.kvHeads, [2, 2, 2])
      XCTAssertEqual(small.config.ffn, [64, 64, 64])          // 96·0.7 = 67 → multiple of 32
      for l in 0..<3 { XCTAssertEqual(Set(plan.keepHeads[l].map { $0 / 2 }), [0, 1], "one head kept per group") }
      let hd = m.config.headDim
      let zeroed = try m.replacing { l, L in
        let goneH = Set(0..<4).subtracting(plan.keepHeads[l]).flatMap { h in (h * hd)..<((h + 1) * hd) }
        let goneF = Array(Set(0..<96).subtracting(plan.keepFFN[l]))
        L.wo = try zeroCols(L.wo, goneH); L.down = try zeroCols(L.down, goneF)
      }
      let t = Tiny.windows(m, count: 1, length: 20, seed: 99)[0]
      XCTAssertLessThan(Tiny.maxDiff(try Tiny.logits(small, t), try Tiny.logits(zeroed, t)), 1e-4, "\(crit)")
      XCTAssertLessThan(small.weightBytes, m.weightBytes)
    }
  }

  func testKVGroupPruningShrinksKV() throws {
    let m = try Tiny.model(heads: 4, kv: 2)
    let stats = try Calibration.collect(model: m, windows: Tiny.windows(m))
    let plan = try Pruner.plan(model: m, stats: stats, options: PruneOptions(headRatio: 0.5, headMode: .kvGroups, criterion: .flap))
    let small = try Pruner.apply(model: m, plan: plan)
    XCTAssertEqual(small.config.kvHeads, [1, 1, 1]); XCTAssertEqual(small.config.heads, [2, 2, 2])
    let hd = m.config.headDim
    let zeroed = try m.replacing { l, L in
      let gone = Set(0..<4).subtracting(plan.keepHeads[l]).flatMap { h in (h * hd)..<((h + 1) * hd) }
      L.wo = try zeroCols(L.wo, gone)
    }
    let t = Tiny.windows(m, count: 1, length: 16, seed: 5)[0]
    XCTAssertLessThan(Tiny.maxDiff(try Tiny.logits(small, t), try Tiny.logits(zeroed, t)), 1e-4)
  }

  func testDepthPruningDropsIdentityLayerByBlockInfluence() throws {
    // Layer 1 made an identity (attn_output and ffn_down zero): BI = 0, so it is the one removed.
    let m = try Tiny.model().replacing { l, L in
      if l == 1 { L.wo = try zeroCols(L.wo, Array(0..<64)); L.down = try zeroCols(L.down, Array(0..<96)) }
    }
    let stats = try Calibration.collect(model: m, windows: Tiny.windows(m))
    XCTAssertEqual(stats.layers[1].blockInfluence, 0, accuracy: 1e-9)
    XCTAssertGreaterThan(stats.layers[0].blockInfluence, 1e-4)
    let plan = try Pruner.plan(model: m, stats: stats, options: PruneOptions(dropLayers: 1))
    XCTAssertEqual(plan.keepLayers, [0, 2])
    let small = try Pruner.apply(model: m, plan: plan)
    let t = Tiny.windows(m, count: 1, length: 12, seed: 3)[0]
    XCTAssertLessThan(Tiny.maxDiff(try Tiny.logits(small, t), try Tiny.logits(m, t)), 1e-4)
  }

  func testPrunedModelSavesAndLoadsThroughGGUF() throws {
    let m = try Tiny.model()
    let stats = try Calibration.collect(model: m, windows: Tiny.windows(m))
    // Non-uniform: layer-dependent importance, drop a layer too.
    let small = try Pruner.apply(model: m, plan: Pruner.plan(model: m, stats: stats,
                                  options: PruneOptions(ffnRatio: 0.25, headRatio: 0.5, dropLayers: 1)))
    let path = NSTemporaryDirectory() + "edgelab-prune-\(getpid()).gguf"
    defer { try? FileManager.default.removeItem(atPath: path) }
    try small.save(path, format: .gguf)
    let back = try LlamaModel.load(path: path)
    XCTAssertEqual(back.config.heads, small.config.heads); XCTAssertEqual(back.config.ffn, small.config.ffn)
    let t = Tiny.windows(m, count: 1, length: 10, seed: 4)[0]
    XCTAssertLessThan(Tiny.maxDiff(try Tiny.logits(back, t), try Tiny.logits(small, t)), 1e-4)
  }

  func testBadOptionsThrow() throws {
    let m = try Tiny.model()
    XCTAssertThrowsError(try Pruner.plan(model: m, stats: nil, options: PruneOptions(ffnRatio: 1.2)))
    XCTAssertThrowsError(try Pruner.plan(model: m, stats: nil, options: PruneOptions(ffnRatio: 0.5, criterion: .activation)))
    XCTAssertNoThrow(try Pruner.plan(model: m, stats: nil, options: PruneOptions(ffnRatio: 0.5, criterion: .magnitude)))
  }
}
