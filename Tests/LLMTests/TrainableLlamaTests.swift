import XCTest
import TensorCore
@testable import LLM

final class TrainableLlamaTests: XCTestCase {
  func maxDiff(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).map { abs($0 - $1) }.max() ?? .infinity }

  func testMatchesInferenceForwardAndRoundTrips() throws {
    for tied in [true, false] {
      let m = try ModelIOTests.tinyModel(seed: 3, tied: tied)
      let tm = try TrainableLlama(m)
      let ids: [Int32] = [1, 40, 77, 120, 5, 9, 200, 2]
      var c = m.makeCache()
      let ref = try m.forward(tokens: ids, cache: &c)
      let out = try tm.forward(tokens: ids)
      XCTAssertEqual(out.shape, [8, m.config.vocabSize])
      XCTAssertLessThan(maxDiff(out.toArray(), ref), 1e-4)
      // A batch of two sequences gives each sequence's own logits.
      let ids2: [Int32] = [3, 3, 8, 100, 50, 60, 70, 80]
      var c2 = m.makeCache()
      let ref2 = try m.forward(tokens: ids2, cache: &c2)
      let both = try tm.forward(batch: [ids, ids2]).toArray()
      XCTAssertLessThan(maxDiff(Array(both[(8 * m.config.vocabSize)...]), ref2), 1e-4)
      // Names are GGUF dotted paths; the pruned layer 2 has no attention tensors.
      let names = tm.namedParameters().map(\.0)
      XCTAssertTrue(names.contains("blk.1.attn_q.weight")); XCTAssertFalse(names.contains("blk.2.attn_q.weight"))
      XCTAssertEqual(names.contains("output.weight"), !tied)
      var c3 = m.makeCache()
      XCTAssertEqual(try tm.toModel().forward(tokens: ids, cache: &c3), ref)
    }
  }

  /// Autograd gradients through the whole transformer against central finite differences.
  func testGradientsMatchFiniteDifferences() throws {
    let m = try ModelIOTests.tinyModel(seed: 4, tied: true)
    let tm = try TrainableLlama(m)
    let ids: [Int32] = [1, 40, 77, 120, 5, 9]
    let targets = [40, 77, 120, 5, 9, 2]
    func loss() throws -> Tensor { try crossEntropy(tm.forward(tokens: ids), targets: targets) }
    let l = try loss()
    l.backward()
    let params = Dictionary(uniqueKeysWithValues: tm.namedParameters())
    for (name, idx) in [("blk.0.attn_q.weight", 5), ("blk.0.attn_k.weight", 17), ("blk.1.attn_v.weight", 3),
                        ("blk.0.ffn_down.weight", 11), ("blk.2.ffn_gate.weight", 40), ("blk.1.attn_norm.weight", 2),
                        ("token_embd.weight", 40 * 32 + 3), ("output_norm.weight", 7)] {
      let p = try XCTUnwrap(params[name])
      let g = try XCTUnwrap(p.grad).data[idx]
      let old = p.data[idx], h: Float = 1e-2
      p.data[idx] = old + h; let lp = noGrad { try! loss().item }
      p.data[idx] = old - h; let lm = noGrad { try! loss().item }
      p.data[idx] = old
      let fd = (lp - lm) / (2 * h)
      XCTAssertEqual(g, fd, accuracy: 2e-3 + 0.05 * abs(fd), "\(name)[\(idx)]: autograd \(g) vs finite difference \(fd)")
    }
  }

  func testTrainingStepsReduceLoss() throws {
    let tm = try TrainableLlama(ModelIOTests.tinyModel(seed: 5))
    let ids: [Int32] = [1, 40, 77, 120, 5, 9, 33, 12]
    let targets = [40, 77, 120, 5, 9, 33, 12, 2]
    let opt = Adam(tm.parameters(), lr: 1e-2)
    var first: Float = 0, last: Float = 0
    for step in 0..<15 {
      opt.zeroGrad()
      let l = try crossEntropy(tm.forward(tokens: ids), targets: targets)
      l.backward(); opt.step()
      if step == 0 { first = l.item }; last = l.item
    }
    XCTAssertLessThan(last, 0.5 * first, "loss \(first) → \(last)")
  }

  func testDefaultModelTrainableLogitsMatch() throws {
    let m = try LlamaModel.load(path: TestPaths.requireModel())
    let tm = try TrainableLlama(m, requiresGrad: false)
    let ids = m.tokenizer.encode("The capital of France is Paris, and the capital of Italy is")
    var c = m.makeCache()
    let ref = try m.forward(tokens: ids, cache: &c)
    let out = try noGrad { try tm.forward(tokens: ids) }.toArray()
    XCTAssertLessThan(maxDiff(out, ref), 2e-3)
  }
}

final class ActivationHookTests: XCTestCase {
  /// The hooked activations reconstruct the residual stream: out_l = out_{l-1} + attnOut·Woᵀ + ffnAct·Downᵀ.
  func testHookedActivationsReconstructResidualStream() throws {
    let m = try ModelIOTests.tinyModel(seed: 9, tied: false)
    let ids: [Int32] = [1, 50, 60, 70, 80]
    var seen = [String: [Float]]()
    var shapes = [String: [Int]]()
    var c = m.makeCache()
    let logits = try m.forward(tokens: ids, cache: &c, hook: { l, site, v, r, cols in
      seen["\(l).\(site.rawValue)"] = Array(v); shapes["\(l).\(site.rawValue)"] = [r, cols]
    })
    XCTAssertEqual(shapes["0.attnOutput"], [5, 32]); XCTAssertEqual(shapes["1.attnOutput"], [5, 16])
    XCTAssertNil(shapes["2.attnOutput"])  // layer 2 has no heads
    XCTAssertEqual(shapes["2.ffnActivation"], [5, 96])
    let d = m.config.dim
    var prev = [Float](repeating: 0, count: 5 * d)
    try prev.withUnsafeMutableBufferPointer { p in for (i, t) in ids.enumerated() { try m.embedding.row(Int(t), into: p.baseAddress! + i * d) } }
    func mul(_ w: WeightMatrix?, _ x: [Float]?) throws -> [Float] {
      guard let w, let x else { return [Float](repeating: 0, count: 5 * d) }
      var y = [Float](repeating: 0, count: 5 * w.rows)
      try x.withUnsafeBufferPointer { xb in try y.withUnsafeMutableBufferPointer { try w.apply(xb.baseAddress!, n: 5, into: $0.baseAddress!) } }
      return y
    }
    for l in 0..<m.config.layers {
      let a = try mul(m.layers[l].wo, seen["\(l).attnOutput"]), f = try mul(m.layers[l].down, seen["\(l).ffnActivation"])
      let expect = (0..<(5 * d)).map { prev[$0] + a[$0] + f[$0] }
      let got = try XCTUnwrap(seen["\(l).blockOutput"])
      XCTAssertLessThan(zip(expect, got).map { abs($0 - $1) }.max()!, 1e-4, "layer \(l)")
      prev = got
    }
    XCTAssertEqual(logits.count, 5 * m.config.vocabSize)
  }
}
