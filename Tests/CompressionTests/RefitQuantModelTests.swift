import XCTest
import LLM
@testable import Compression

final class RefitQuantModelTests: XCTestCase {
  func testRefitSolvesNormalEquations() throws {
    // Plain reference: the ridge normal equations hold at the solution, and with nothing removed and λ→0
    // the refit returns W itself.
    var g = RNGShim(3)
    let n = 200, cols = 6, rows = 3
    var X = [Double](repeating: 0, count: n * cols)
    for i in 0..<n { let s = Double(g.next() % 1000) / 500 - 1; for j in 0..<cols { X[i * cols + j] = s * Double(j + 1) * 0.3 + Double(g.next() % 1000) / 1000 - 0.5 } }
    var G = [Double](repeating: 0, count: cols * cols)
    for i in 0..<n { for a in 0..<cols { for b in 0..<cols { G[a * cols + b] += X[i * cols + a] * X[i * cols + b] } } }
    let W: [Float] = (0..<(rows * cols)).map { Float($0 % 5) - 2 }
    let full = try Refit.solve(W: W, rows: rows, cols: cols, gram: G, keep: Array(0..<cols), ridge: 0)
    for i in 0..<W.count { XCTAssertEqual(full[i], W[i], accuracy: 1e-4) }
    let K = [0, 2, 5], ridge = 0.01
    let Wp = try Refit.solve(W: W, rows: rows, cols: cols, gram: G, keep: K, ridge: ridge)
    let lam = ridge * K.map { G[$0 * cols + $0] }.reduce(0, +) / 3
    for r in 0..<rows {
      for (i, a) in K.enumerated() {
        var lhs = lam * Double(Wp[r * 3 + i]), rhs = 0.0
        for (j, b) in K.enumerated() { lhs += G[a * cols + b] * Double(Wp[r * 3 + j]) }
        for b in 0..<cols { rhs += G[a * cols + b] * Double(W[r * cols + b]) }
        XCTAssertEqual(lhs, rhs, accuracy: 1e-3 * max(1, abs(rhs)))
      }
    }
  }

  func testRefitReducesOutputErrorOnCalibration() throws {
    let m = try Tiny.model(std: 0.3)
    let w = Tiny.windows(m, count: 6, length: 24)
    let stats = try Calibration.collect(model: m, windows: w)
    let plan = try Pruner.plan(model: m, stats: stats, options: PruneOptions(ffnRatio: 0.4, headRatio: 0.5))
    let pruned = try Pruner.apply(model: m, plan: plan)
    let refit = try Refit.apply(original: m, pruned: pruned, plan: plan, windows: w, ridge: 1e-4)
    func kl(_ s: LlamaModel) throws -> Double {
      var tot = 0.0
      for t in w {
        let a = try Tiny.logits(m, t), b = try Tiny.logits(s, t), V = m.config.vocabSize
        for r in 0..<t.count {
          let x = a[(r * V)..<((r + 1) * V)].map(Double.init), y = b[(r * V)..<((r + 1) * V)].map(Double.init)
          let mx = x.max()!, my = y.max()!
          let lx = mx + log(x.map { exp($0 - mx) }.reduce(0, +)), ly = my + log(y.map { exp($0 - my) }.reduce(0, +))
          for v in 0..<V { let p = exp(x[v] - lx); tot += p * ((x[v] - lx) - (y[v] - ly)) }
        }
      }
      return tot
    }
    let before = try kl(pruned), after = try kl(refit)
    XCTAssertLessThan(after, 0.9 * before, "KL to base: pruned \(before), refit \(after)")
  }

  func testModelQuantizerGPTQBeatsRTNAndReportsBytes() throws {
    // Correlated inputs come from the model's own activations; compare output KL-free error: logits MSE.
    let m = try Tiny.model(layers: 2, heads: 4, kv: 2, ffn: 64, dim: 64, std: 0.3)
    let w = Tiny.windows(m, count: 8, length: 32)
    let rules = try PrecisionRules([PrecisionRule(#"^token_embd"#, .q8_0)], default: .q4_0)
    let rtn = try ModelQuantizer.quantize(m, options: ModelQuantOptions(rules: rules, method: .rtn))
    let gq = try ModelQuantizer.quantize(m, options: ModelQuantOptions(rules: rules, method: .gptq(GPTQConfig()), chunkLayers: 1), windows: w)
    XCTAssertEqual(rtn.report.totalBytes, gq.report.totalBytes)
    XCTAssertEqual(gq.report.entries.count, 2 * 7 + 1)
    XCTAssertEqual(gq.model.layers[0].wq?.type, .q4_0); XCTAssertEqual(gq.model.embedding.type, .q8_0)
    func err(_ q: LlamaModel) throws -> Double {
      var s = 0.0
      for t in w { let a = try Tiny.logits(m, t), b = try Tiny.logits(q, t); for i in a.indices { s += Double((a[i] - b[i]) * (a[i] - b[i])) } }
      return s
    }
    let er = try err(rtn.model), eg = try err(gq.model)
    XCTAssertLessThan(eg, er, "logit MSE GPTQ \(eg) vs RTN \(er)")
    XCTAssertThrowsError(try ModelQuantizer.quantize(m, options: ModelQuantOptions(method: .gptq(GPTQConfig()))))
  }

  func testForwardBlocksEqualsForward() throws {
    // Advancing hidden states block by block (sequential GPTQ's calibration path) gives exactly forward's hooks.
    let m = try Tiny.model(layers: 3)
    let t = Tiny.windows(m, count: 1, length: 20)[0]
    var ref: [Int: [Float]] = [:]
    var c = m.makeCache()
    _ = try m.forward(tokens: t, cache: &c, lastOnly: true) { l, site, v, _, _ in if site == .blockOutput { ref[l] = Array(v) } }
    var x = try m.embed(t)
    try m.forwardBlocks(0..<1, hidden: &x, n: t.count)
    XCTAssertEqual(x, ref[0]!)
    var seen: [Int] = []
    try m.forwardBlocks(1..<3, hidden: &x, n: t.count) { l, site, _, _, _ in if site == .blockOutput { seen.append(l) } }
    XCTAssertEqual(x, ref[2]!); XCTAssertEqual(seen, [1, 2])
    XCTAssertThrowsError(try m.forwardBlocks(0..<4, hidden: &x, n: t.count))
    XCTAssertThrowsError(try m.forwardBlocks(0..<1, hidden: &x, n: t.count + 1))
  }

  func testSequentialGPTQCalibratesOnQuantizedInputs() throws {
    // chunk_layers = 1: layer 1's Hessians come from the model whose layer 0 is already quantized, so the result
    // equals quantizing layer 1 alone with Hessians collected by a plain forward of that partly quantized model.
    let m = try Tiny.model(layers: 2, heads: 4, kv: 2, ffn: 64, dim: 64, std: 0.3)
    let w = Tiny.windows(m, count: 6, length: 32)
    let rules = try PrecisionRules([], default: .q4_0)
    let cfg = GPTQConfig(threads: 1)
    let seq = try ModelQuantizer.quantize(m, options: ModelQuantOptions(rules: rules, method: .gptq(cfg), chunkLayers: 1, threads: 1), windows: w)
    let once = try ModelQuantizer.quantize(m, options: ModelQuantOptions(rules: rules, method: .gptq(cfg), chunkLayers: 2, threads: 1), windows: w)
    XCTAssertEqual(seq.model.layers[0].wq?.isQuantized, true)
    let partly = try m.replacing { i, L in if i == 0 { L = seq.model.layers[0] } }
    var h = GPTQHessian(cols: m.config.ffn[1])
    for t in w {
      var c = partly.makeCache()
      _ = try partly.forward(tokens: t, cache: &c, lastOnly: true) { l, site, v, rows, _ in
        if l == 1 && site == .ffnActivation { h.add(v.baseAddress!, rows: rows) }
      }
    }
    let down = m.layers[1].down!
    let f = try GPTQFactor(hessian: h, config: cfg)
    let expect = try GPTQ.quantize(try down.floats(), rows: down.rows, cols: down.cols, type: .q4_0, factor: f, config: cfg)
    XCTAssertEqual(try seq.model.layers[1].down!.floats(), expect.matrix.dequantized())
    XCTAssertNotEqual(try once.model.layers[1].down!.floats(), expect.matrix.dequantized())   // not sequential
    XCTAssertEqual(try once.model.layers[0].down!.floats(), try seq.model.layers[0].down!.floats())  // same first layer
  }

  func testTrueSequentialCalibratesEachStageOnThePartlyQuantizedBlock() throws {
    // q/k/v see the same (unquantized) block input either way; ffn_down's Hessian must come from the block whose
    // q/k/v/o/gate/up are already quantized, i.e. a plain forward of that partly quantized model.
    let m = try Tiny.model(layers: 2, heads: 4, kv: 2, ffn: 64, dim: 64, std: 0.3)
    let w = Tiny.windows(m, count: 6, length: 32)
    let rules = try PrecisionRules([], default: .q4_0)
    let cfg = GPTQConfig(threads: 1)
    let plain = try ModelQuantizer.quantize(m, options: ModelQuantOptions(rules: rules, method: .gptq(cfg), chunkLayers: 1, threads: 1), windows: w)
    let staged = try ModelQuantizer.quantize(m, options: ModelQuantOptions(rules: rules, method: .gptq(cfg), chunkLayers: 1, threads: 1,
                                                                           trueSequential: true), windows: w)
    XCTAssertEqual(try staged.model.layers[0].wq!.floats(), try plain.model.layers[0].wq!.floats())
    XCTAssertEqual(try staged.model.layers[0].wv!.floats(), try plain.model.layers[0].wv!.floats())
    XCTAssertEqual(staged.report.entries.count, plain.report.entries.count)
    let S = staged.model.layers[0]
    let partly = try m.replacing { i, L in
      if i == 0 { L.wq = S.wq; L.wk = S.wk; L.wv = S.wv; L.wo = S.wo; L.gate = S.gate; L.up = S.up }
    }
    var h = GPTQHessian(cols: m.config.ffn[0])
    for t in w {
      var c = partly.makeCache()
      _ = try partly.forward(tokens: t, cache: &c, lastOnly: true) { l, site, v, rows, _ in
        if l == 0 && site == .ffnActivation { h.add(v.baseAddress!, rows: rows) }
      }
    }
    let down = m.layers[0].down!
    let expect = try GPTQ.quantize(try down.floats(), rows: down.rows, cols: down.cols, type: .q4_0,
                                   factor: try GPTQFactor(hessian: h, config: cfg), config: cfg)
    XCTAssertEqual(try staged.model.layers[0].down!.floats(), expect.matrix.dequantized())
    XCTAssertNotEqual(try plain.model.layers[0].down!.floats(), expect.matrix.dequantized())
    XCTAssertThrowsError(try ModelQuantizer.quantize(m, options: ModelQuantOptions(rules: rules, method: .gptq(cfg), chunkLayers: 2,
                                                                                   trueSequential: true), windows: w)) { e in
      XCTAssertTrue("\(e)".contains("chunk_layers"))
    }
  }

  func testReportNamesTypesWrittenAndFallbacks() throws {
    // Q4_K needs rows that are a multiple of 256: a 64-wide input falls back to Q5_0, a 256-wide one keeps Q4_K.
    let rules = try PrecisionRules([PrecisionRule(#"^token_embd"#, .q8_0)], default: .q4_K)
    var r = QuantReport()
    for (i, cols) in [64, 64, 256].enumerated() {
      let W = [Float](repeating: 0.01, count: 4 * cols)
      r.add(try TensorQuantizer.quantize(name: "blk.0.t\(i).weight", W, rows: 4, cols: cols, rules: rules, method: .rtn))
    }
    r.add(try TensorQuantizer.quantize(name: "token_embd.weight", [Float](repeating: 0.01, count: 4 * 64), rows: 4, cols: 64,
                                       rules: rules, method: .rtn))
    XCTAssertEqual(r.typeCounts, ["q5_0": 2, "q4_k": 1, "q8_0": 1])
    XCTAssertEqual(r.fallbacks, ["q4_k->q5_0": 2])
    XCTAssertEqual(r.linearTypesLabel, "q5_0+q4_k")
    XCTAssertEqual(r.variantLabel, "rtn-q5_0+q4_k")
    XCTAssertEqual(QuantMethod.gptq(GPTQConfig(actOrder: true)).name, "gptq-actorder")
  }
}
