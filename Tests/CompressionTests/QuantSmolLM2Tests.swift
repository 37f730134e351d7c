// Opt-in real-model measurement (EDGELAB_SLOW_TESTS=1, needs the SmolLM2 GGUF and HaluEval summarization text):
// RTN vs GPTQ on SmolLM2-135M-Instruct's linear layers, perplexity and KL divergence to the F32 base on held-out
// text. Calibration: Hessians of every linear input from one forward pass of the base model (not sequential GPTQ).
// Paths: EDGELAB_MODEL (default assets/models/SmolLM2-135M-Instruct.Q4_1.gguf) and EDGELAB_TEXT (default
// assets/data/halueval/dataset_halueval_summarization.jsonl).
import Foundation
import XCTest
import LLM
@testable import Compression

final class QuantSmolLM2Tests: XCTestCase {
  final class Box { var h: [[ActivationSite: GPTQHessian]] = [] }

  func testRTNvsGPTQOnSmolLM2() throws {
    let env = ProcessInfo.processInfo.environment
    guard env["EDGELAB_SLOW_TESTS"] == "1" else { throw XCTSkip("set EDGELAB_SLOW_TESTS=1") }
    let root = QuantFixtures.dir + "/../../.."
    let modelPath = env["EDGELAB_MODEL"] ?? root + "/assets/models/SmolLM2-135M-Instruct.Q4_1.gguf"
    let textPath = env["EDGELAB_TEXT"] ?? root + "/assets/data/halueval/dataset_halueval_summarization.jsonl"
    guard FileManager.default.fileExists(atPath: modelPath), let fh = FileHandle(forReadingAtPath: textPath) else {
      throw XCTSkip("model or text missing (\(modelPath), \(textPath))")
    }
    let head = fh.readData(ofLength: 600_000); fh.closeFile()
    let lines = String(decoding: head, as: UTF8.self).split(separator: "\n").dropLast()
    let docs: [String] = lines.compactMap { l in
      (try? JSONSerialization.jsonObject(with: Data(l.utf8)) as? [String: Any])?["document"] as? String
    }
    XCTAssertGreaterThan(docs.count, 90)
    let base = try LlamaModel.load(path: modelPath)
    let tok = base.tokenizer
    let ctx = 256, calWindows = Int(env["EDGELAB_CAL_WINDOWS"] ?? "8")!, evalWindows = Int(env["EDGELAB_EVAL_WINDOWS"] ?? "8")!
    let cal = tok.encode(docs[0..<30].joined(separator: "\n\n"), parseSpecial: false)
    let evl = tok.encode(docs[40..<90].joined(separator: "\n\n"), parseSpecial: false)
    XCTAssertGreaterThan(cal.count, ctx * calWindows); XCTAssertGreaterThan(evl.count, ctx * evalWindows)
    let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"

    // Hessians of every linear input.
    let L = base.config.layers
    let box = Box()
    box.h = (0..<L).map { _ in [:] }
    var t0 = Date()
    for w in 0..<calWindows {
      var cache = base.makeCache()
      _ = try base.forward(tokens: Array(cal[(w * ctx)..<((w + 1) * ctx)]), cache: &cache, lastOnly: true) { l, site, v, rows, cols in
        guard site != .blockOutput else { return }
        if box.h[l][site] == nil { box.h[l][site] = GPTQHessian(cols: cols) }
        box.h[l][site]!.add(v.baseAddress!, rows: rows)
      }
    }
    let tCal = Date().timeIntervalSince(t0)

    func f32(_ w: WeightMatrix) throws -> [Float] {
      if case let .f32(v) = w.storage { return v }
      if case let .f32(v) = try w.dequantized().storage { return v }
      return []
    }
    struct Variant { let name: String; let method: QuantMethod; let type: GGMLType; let downOnly: Bool }
    // The F32 base is the file's Q4_1 weights decoded, so "RTN Q4_1" must give back the base (a lossless check);
    // the comparisons use other grids.
    let variants: [Variant] = [
      Variant(name: "RTN Q4_1 (file grid)", method: .rtn, type: .q4_1, downOnly: false),
      Variant(name: "RTN Q4_0", method: .rtn, type: .q4_0, downOnly: false),
      Variant(name: "GPTQ Q4_0", method: .gptq(GPTQConfig()), type: .q4_0, downOnly: false),
      Variant(name: "GPTQ+act Q4_0", method: .gptq(GPTQConfig(actOrder: true)), type: .q4_0, downOnly: false),
      Variant(name: "RTN Q5_0", method: .rtn, type: .q5_0, downOnly: false),
      Variant(name: "GPTQ Q5_0", method: .gptq(GPTQConfig()), type: .q5_0, downOnly: false),
      Variant(name: "RTN Q3_K (ffn_down only)", method: .rtn, type: .q3_K, downOnly: true),
      Variant(name: "GPTQ Q3_K (ffn_down only)", method: .gptq(GPTQConfig()), type: .q3_K, downOnly: true),
      Variant(name: "GPTQ+act Q3_K (ffn_down)", method: .gptq(GPTQConfig(actOrder: true)), type: .q3_K, downOnly: true),
    ]
    var models: [(String, LlamaModel, Double, Int)] = []
    for v in variants {
      t0 = Date()
      var factors: [ActivationSite: GPTQFactor] = [:]
      var bytes = 0
      let layers = try (0..<L).map { l -> LlamaLayer in
        let b = base.layers[l]
        factors = [:]
        if case .gptq(let cfg) = v.method {
          for (s, h) in box.h[l] where s != .blockOutput && (!v.downOnly || s == .ffnActivation) {
            factors[s] = try GPTQFactor(hessian: h, config: cfg)
          }
        }
        func q(_ w: WeightMatrix?, _ site: ActivationSite, _ isDown: Bool) throws -> WeightMatrix? {
          guard let w else { return nil }
          if v.downOnly && !isDown { return w }
          let rules = try PrecisionRules([], default: v.type)
          let t = try TensorQuantizer.quantize(name: "w", try f32(w), rows: w.rows, cols: w.cols, rules: rules,
                                               method: v.method, factor: factors[site])
          bytes += t.matrix.byteCount
          return WeightMatrix(t.matrix)
        }
        return LlamaLayer(attnNorm: b.attnNorm, wq: try q(b.wq, .attnInput, false), wk: try q(b.wk, .attnInput, false),
                          wv: try q(b.wv, .attnInput, false), wo: try q(b.wo, .attnOutput, false), ffnNorm: b.ffnNorm,
                          gate: try q(b.gate, .ffnInput, false), up: try q(b.up, .ffnInput, false), down: try q(b.down, .ffnActivation, true))
      }
      let m = try LlamaModel(config: base.config, tokenizer: tok, embedding: base.embedding, layers: layers,
                             outputNorm: base.outputNorm, output: base.output)
      models.append((v.name, m, Date().timeIntervalSince(t0), bytes))
    }

    // Perplexity and KL(base ‖ variant) on held-out windows, from full logits.
    let V = base.config.vocabSize
    var nll = [Double](repeating: 0, count: models.count + 1), kld = [Double](repeating: 0, count: models.count)
    var count = 0
    func logSoftmax(_ x: ArraySlice<Float>) -> [Double] {
      let m = Double(x.max()!)
      let lse = m + log(x.reduce(0.0) { $0 + exp(Double($1) - m) })
      return x.map { Double($0) - lse }
    }
    for w in 0..<evalWindows {
      let ids = Array(evl[(w * ctx)..<((w + 1) * ctx)])
      var c0 = base.makeCache()
      let lb = try base.forward(tokens: ids, cache: &c0)
      let lq = try models.map { m -> [Float] in var c = m.1.makeCache(); return try m.1.forward(tokens: ids, cache: &c) }
      for p in 0..<(ctx - 1) {
        let pb = logSoftmax(lb[(p * V)..<((p + 1) * V)])
        nll[models.count] -= pb[Int(ids[p + 1])]
        for (k, l) in lq.enumerated() {
          let pq = logSoftmax(l[(p * V)..<((p + 1) * V)])
          nll[k] -= pq[Int(ids[p + 1])]
          var s = 0.0
          for i in 0..<V { let a = pb[i]; s += exp(a) * (a - pq[i]) }
          kld[k] += s
        }
        count += 1
      }
    }
    var linearF32 = 0
    for l in base.layers { for w in [l.wq, l.wk, l.wv, l.wo, l.gate, l.up, l.down] { linearF32 += (w?.rows ?? 0) * (w?.cols ?? 0) * 4 } }
    var report = String(format: "SmolLM2-135M-Instruct (F32 = dequantized Q4_1 file), calibration %d×%d tokens (%.1f s), eval %d×%d tokens; loadavg %@\n",
                        calWindows, ctx, tCal, evalWindows, ctx, load)
    report += String(format: "  %-30@ ppl %8.3f                       linear bytes %9d\n", "F32 base" as NSString, exp(nll[models.count] / Double(count)), linearF32)
    for (k, m) in models.enumerated() {
      report += String(format: "  %-30@ ppl %8.3f  KLD %.4f  quantize %6.1f s  bytes %9d\n", m.0 as NSString,
                       exp(nll[k] / Double(count)), kld[k] / Double(count), m.2, m.3)
    }
    print(report)
    try? report.write(toFile: NSTemporaryDirectory() + "quant_smollm2.txt", atomically: true, encoding: .utf8)
    // GPTQ must beat RTN at the same format on this real model.
    XCTAssertLessThan(kld[0] / Double(count), 1e-6)                     // re-quantizing onto the file's grid is lossless
    XCTAssertLessThan(kld[2], kld[1]); XCTAssertLessThan(kld[3], kld[1])
    XCTAssertLessThan(kld[5], kld[4]); XCTAssertLessThan(kld[7], kld[6])
  }
}
