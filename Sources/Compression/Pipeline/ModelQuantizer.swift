// Whole-model quantization: every linear map through TensorQuantizer (RTN or GPTQ per PrecisionRules), the
// token embedding / untied output head by RTN at the rules' type (default Q8_0), norms stay F32.
// GPTQ Hessians come from calibration windows via the activation hooks, one per linear input (q/k/v share
// attnInput, gate/up share ffnInput, attn_output sees attnOutput, ffn_down sees ffnActivation). Layers are
// processed in chunks of `chunkLayers`: one calibration pass per chunk collects that chunk's Hessians on the
// model whose earlier chunks are already quantized (sequential GPTQ at chunk granularity; chunkLayers = 1 is
// the reference's layer-by-layer order). Memory: chunkLayers · (3·dim² + ffn²) floats.
import Foundation
import LLM
import TensorCore

public struct ModelQuantOptions: Sendable {
  public var rules: PrecisionRules
  public var method: QuantMethod
  public var chunkLayers: Int
  public var threads: Int?
  public init(rules: PrecisionRules = .standard(), method: QuantMethod = .rtn, chunkLayers: Int = 10, threads: Int? = nil) {
    self.rules = rules; self.method = method; self.chunkLayers = chunkLayers; self.threads = threads
  }
}

public struct ModelQuantResult {
  public let model: LlamaModel
  public let report: QuantReport
  public let seconds: Double
  /// Σ GPTQ running loss over tensors (nil for RTN).
  public let gptqLoss: Double?
}

public enum ModelQuantizer {
  static let linearNames = ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"]

  public static func quantize(_ model: LlamaModel, options o: ModelQuantOptions, windows: [[Int32]] = [],
                              progress: ((String, Int, Int) -> Void)? = nil) throws -> ModelQuantResult {
    let t0 = Date()
    let c = model.config
    var isGPTQ = false
    if case .gptq = o.method { isGPTQ = true }
    if isGPTQ && windows.isEmpty { throw CompressionError.invalidOption("GPTQ needs calibration windows") }
    guard o.chunkLayers >= 1 else { throw CompressionError.invalidOption("chunk_layers must be ≥ 1") }
    var report = QuantReport()
    var layers = model.layers
    var lossSum = 0.0
    func q(_ name: String, _ w: WeightMatrix?, _ f: GPTQFactor?) throws -> WeightMatrix? {
      guard let w else { return nil }
      let t = try TensorQuantizer.quantize(name: name, try w.floats(), rows: w.rows, cols: w.cols, rules: o.rules,
                                           method: o.method, factor: f, threads: o.threads)
      report.add(t); lossSum += t.gptqLoss ?? 0
      return WeightMatrix(t.matrix)
    }
    var current = model
    var a = 0
    while a < c.layers {
      let b = min(c.layers, a + o.chunkLayers)
      var hess: [Int: [ActivationSite: GPTQHessian]] = [:]
      if isGPTQ {
        for l in a..<b {
          hess[l] = [.attnInput: GPTQHessian(cols: c.dim), .attnOutput: GPTQHessian(cols: c.heads[l] * c.headDim),
                     .ffnInput: GPTQHessian(cols: c.dim), .ffnActivation: GPTQHessian(cols: c.ffn[l])]
        }
        for w in windows {
          try Cancellation.check()
          var cache = current.makeCache(reserve: w.count)
          _ = try current.forward(tokens: w, cache: &cache, lastOnly: true) { l, site, v, rows, _ in
            guard l >= a, l < b, site != .blockOutput, rows > 0 else { return }
            hess[l]![site]!.add(v.baseAddress!, rows: rows)
          }
        }
      }
      for l in a..<b {
        try Cancellation.check()
        let p = "blk.\(l).", L = layers[l]
        func factor(_ s: ActivationSite) throws -> GPTQFactor? {
          guard isGPTQ, let h = hess[l]?[s], h.cols > 0 else { return nil }
          guard case let .gptq(cfg) = o.method else { return nil }
          return try GPTQFactor(hessian: h, config: cfg)
        }
        let fa = try factor(.attnInput), fo = try factor(.attnOutput), ff = try factor(.ffnInput), fd = try factor(.ffnActivation)
        layers[l] = L.replacing(wq: try q(p + "attn_q.weight", L.wq, fa), wk: try q(p + "attn_k.weight", L.wk, fa),
                                wv: try q(p + "attn_v.weight", L.wv, fa), wo: try q(p + "attn_output.weight", L.wo, fo),
                                gate: try q(p + "ffn_gate.weight", L.gate, ff), up: try q(p + "ffn_up.weight", L.up, ff),
                                down: try q(p + "ffn_down.weight", L.down, fd))
        progress?("layer", l + 1, c.layers)
      }
      current = try LlamaModel(config: c, tokenizer: model.tokenizer, embedding: model.embedding, layers: layers,
                               outputNorm: model.outputNorm, output: model.output)
      a = b
    }
    let emb = try q("token_embd.weight", model.embedding, nil)!
    let out = try q("output.weight", model.output, nil)
    let m = try LlamaModel(config: c, tokenizer: model.tokenizer, embedding: emb, layers: layers, outputNorm: model.outputNorm, output: out)
    m.sourceMetadata = model.sourceMetadata
    return ModelQuantResult(model: m, report: report, seconds: Date().timeIntervalSince(t0), gptqLoss: isGPTQ ? lossSum : nil)
  }
}
