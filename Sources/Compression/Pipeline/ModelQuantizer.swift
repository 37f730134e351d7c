// Whole-model quantization: every linear map through TensorQuantizer (RTN or GPTQ per PrecisionRules), the
// token embedding / untied output head by RTN at the rules' type (default Q8_0), norms stay F32.
// GPTQ Hessians come from calibration windows via the activation hooks, one per linear input (q/k/v share
// attnInput, gate/up share ffnInput, attn_output sees attnOutput, ffn_down sees ffnActivation). Sequential GPTQ
// as in the reference (Frantar et al. 2022, `llama.py`): the hidden states of every calibration window are kept;
// for each chunk of `chunkLayers` blocks, those blocks run on them to collect the chunk's Hessians, are
// quantized, and the *quantized* blocks then advance the hidden states to the next chunk — so every block is
// calibrated on the inputs the quantized model really gives it. chunkLayers = 1 (default) is the reference's
// layer-by-layer order; chunkLayers = layers is one pass over the unquantized model. Cost: two passes of the
// blocks over the windows whatever the chunking. Every position of every window enters the Hessians (leaving out
// the attention sink at position 0, `skipFirstPositions`, breaks the sink; decision 0700). Memory: windows·length·dim floats of hidden states plus
// chunkLayers · (2·dim² + heads·headDim² + ffn²) floats of Hessians.
// `trueSequential` (GPTQ, chunkLayers = 1; the "true sequential" option of the GPTQ reference implementations):
// inside a block the linear maps are quantized in four stages — q/k/v, attn_output, gate/up, ffn_down — and each
// stage's Hessian is collected by re-running the block with the earlier stages already quantized, so every input
// is the one the quantized block really produces (three extra block passes over the windows per block).
import Foundation
import LLM
import TensorCore

public struct ModelQuantOptions: Sendable {
  public var rules: PrecisionRules
  public var method: QuantMethod
  public var chunkLayers: Int
  public var threads: Int?
  /// Quantize a block's linear maps in stages (q/k/v, o, gate/up, down), each calibrated on the partly quantized block.
  public var trueSequential: Bool
  public init(rules: PrecisionRules = .standard(), method: QuantMethod = .rtn, chunkLayers: Int = 1, threads: Int? = nil,
              trueSequential: Bool = false) {
    self.rules = rules; self.method = method; self.chunkLayers = chunkLayers; self.threads = threads
    self.trueSequential = trueSequential
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
    var layers = model.layers
    let blocks = try quantizeBlocks(config: model.config, tokenizer: model.tokenizer, embedding: model.embedding,
                                    outputNorm: model.outputNorm, options: o, windows: windows,
                                    load: { model.layers[$0] }, emit: { l, layer in layers[l] = layer }, progress: progress)
    var report = blocks.report
    func q(_ name: String, _ w: WeightMatrix?) throws -> WeightMatrix? {
      guard let w else { return nil }
      let t = try TensorQuantizer.quantize(name: name, try w.floats(), rows: w.rows, cols: w.cols, rules: o.rules,
                                           method: o.method, factor: nil, threads: o.threads)
      report.add(t)
      return WeightMatrix(t.matrix)
    }
    let emb = try q("token_embd.weight", model.embedding)!
    let out = try q("output.weight", model.output)
    let m = try LlamaModel(config: model.config, tokenizer: model.tokenizer, embedding: emb, layers: layers,
                           outputNorm: model.outputNorm, output: out)
    m.sourceMetadata = model.sourceMetadata
    return ModelQuantResult(model: m, report: report, seconds: Date().timeIntervalSince(t0), gptqLoss: blocks.loss)
  }

  /// The decoder blocks of a model, quantized in order: block l comes from `load(l)` (F32 or any stored type)
  /// and its quantized version goes to `emit(l, layer)` before block l + chunkLayers is loaded, so a caller that
  /// reads blocks from disk and writes them out holds at most one chunk of blocks. Each chunk runs as a model of
  /// just those blocks (`LlamaConfig.slice`), which computes what they compute inside the whole model.
  /// `embedding` only looks up the calibration windows' tokens (GPTQ). Returns the blocks' report and Σ GPTQ loss
  /// (nil for RTN).
  public static func quantizeBlocks(config c: LlamaConfig, tokenizer: Tokenizer, embedding: WeightMatrix, outputNorm: [Float],
                                    options o: ModelQuantOptions, windows: [[Int32]],
                                    load: (Int) throws -> LlamaLayer, emit: (Int, LlamaLayer) throws -> Void,
                                    progress: ((String, Int, Int) -> Void)? = nil) throws -> (report: QuantReport, loss: Double?) {
    var isGPTQ = false
    if case .gptq = o.method { isGPTQ = true }
    if isGPTQ && windows.isEmpty { throw CompressionError.invalidOption("GPTQ needs calibration windows") }
    guard o.chunkLayers >= 1 else { throw CompressionError.invalidOption("chunk_layers must be ≥ 1") }
    if o.trueSequential && isGPTQ && o.chunkLayers != 1 {
      throw CompressionError.invalidOption("true_sequential needs chunk_layers = 1 (got \(o.chunkLayers))")
    }
    var report = QuantReport()
    var lossSum = 0.0
    func q(_ name: String, _ w: WeightMatrix?, _ f: GPTQFactor?) throws -> WeightMatrix? {
      guard let w else { return nil }
      let t = try TensorQuantizer.quantize(name: name, try w.floats(), rows: w.rows, cols: w.cols, rules: o.rules,
                                           method: o.method, factor: f, threads: o.threads)
      report.add(t); lossSum += t.gptqLoss ?? 0
      return WeightMatrix(t.matrix)
    }
    var skip = 0
    if case let .gptq(cfg) = o.method {
      guard cfg.skipFirstPositions >= 0 else { throw CompressionError.invalidOption("skip_first_positions must be ≥ 0") }
      skip = cfg.skipFirstPositions
    }
    // Hidden states entering the next chunk, one array per window (GPTQ only).
    var hidden: [[Float]] = []
    var a = 0
    while a < c.layers {
      if isGPTQ && o.trueSequential, case let .gptq(cfg) = o.method {
        let staged = try quantizeBlockInStages(a, layer: try load(a), config: c, tokenizer: tokenizer, embedding: embedding,
                                               outputNorm: outputNorm, hidden: &hidden, windows: windows, skip: skip,
                                               gptq: cfg, quantize: q)
        try emit(a, staged.layer)
        if a + 1 < c.layers {
          for (i, w) in windows.enumerated() { try Cancellation.check(); try staged.model.forwardBlocks(0..<1, hidden: &hidden[i], n: w.count) }
        }
        progress?("layer", a + 1, c.layers)
        a += 1
        continue
      }
      let b = min(c.layers, a + o.chunkLayers)
      var chunk = try (a..<b).map(load)
      var model = try LlamaModel(config: c.slice(a..<b), tokenizer: tokenizer, embedding: embedding, layers: chunk,
                                 outputNorm: outputNorm, output: nil)
      if isGPTQ && a == 0 { hidden = try windows.map { try model.embed($0) } }
      var hess: [Int: [ActivationSite: GPTQHessian]] = [:]
      if isGPTQ {
        for l in a..<b {
          hess[l] = [.attnInput: GPTQHessian(cols: c.dim), .attnOutput: GPTQHessian(cols: c.heads[l] * c.headDim),
                     .ffnInput: GPTQHessian(cols: c.dim), .ffnActivation: GPTQHessian(cols: c.ffn[l])]
        }
        for (i, w) in windows.enumerated() {
          try Cancellation.check()
          var x = hidden[i]
          try model.forwardBlocks(0..<(b - a), hidden: &x, n: w.count) { l, site, v, rows, cols in
            guard site != .blockOutput, rows > skip else { return }
            hess[a + l]![site]!.add(v.baseAddress! + skip * cols, rows: rows - skip)
          }
        }
      }
      for l in a..<b {
        try Cancellation.check()
        let p = "blk.\(l).", L = chunk[l - a]
        func factor(_ s: ActivationSite) throws -> GPTQFactor? {
          guard isGPTQ, let h = hess[l]?[s], h.cols > 0 else { return nil }
          guard case let .gptq(cfg) = o.method else { return nil }
          return try GPTQFactor(hessian: h, config: cfg)
        }
        let fa = try factor(.attnInput), fo = try factor(.attnOutput), ff = try factor(.ffnInput), fd = try factor(.ffnActivation)
        hess[l] = nil
        chunk[l - a] = L.replacing(wq: try q(p + "attn_q.weight", L.wq, fa), wk: try q(p + "attn_k.weight", L.wk, fa),
                                   wv: try q(p + "attn_v.weight", L.wv, fa), wo: try q(p + "attn_output.weight", L.wo, fo),
                                   gate: try q(p + "ffn_gate.weight", L.gate, ff), up: try q(p + "ffn_up.weight", L.up, ff),
                                   down: try q(p + "ffn_down.weight", L.down, fd))
        try emit(l, chunk[l - a])
        progress?("layer", l + 1, c.layers)
      }
      if isGPTQ && b < c.layers {                   // advance the windows through the quantized chunk
        model = try LlamaModel(config: c.slice(a..<b), tokenizer: tokenizer, embedding: embedding, layers: chunk,
                               outputNorm: outputNorm, output: nil)
        for (i, w) in windows.enumerated() {
          try Cancellation.check()
          try model.forwardBlocks(0..<(b - a), hidden: &hidden[i], n: w.count)
        }
      }
      a = b
    }
    return (report, isGPTQ ? lossSum : nil)
  }
}

extension ModelQuantizer {
  /// True-sequential GPTQ of block `l`: stages q/k/v ← attnInput, o ← attnOutput, gate/up ← ffnInput,
  /// down ← ffnActivation; each stage's Hessian comes from running block l (with the earlier stages quantized) on
  /// the kept hidden states (filled with the windows' embeddings when l = 0). Returns the quantized block and a
  /// one-block model of it that advances the hidden states.
  static func quantizeBlockInStages(_ l: Int, layer: LlamaLayer, config c: LlamaConfig, tokenizer: Tokenizer,
                                    embedding: WeightMatrix, outputNorm: [Float], hidden: inout [[Float]],
                                    windows: [[Int32]], skip: Int, gptq: GPTQConfig,
                                    quantize q: (String, WeightMatrix?, GPTQFactor?) throws -> WeightMatrix?)
    throws -> (layer: LlamaLayer, model: LlamaModel) {
    let p = "blk.\(l)."
    var block = layer
    func rebuilt() throws -> LlamaModel {
      try LlamaModel(config: c.slice(l..<l + 1), tokenizer: tokenizer, embedding: embedding, layers: [block],
                     outputNorm: outputNorm, output: nil)
    }
    var current = try rebuilt()
    if l == 0 { hidden = try windows.map { try current.embed($0) } }
    let stages: [(ActivationSite, Int)] = [(.attnInput, c.dim), (.attnOutput, c.heads[l] * c.headDim),
                                           (.ffnInput, c.dim), (.ffnActivation, c.ffn[l])]
    for (site, cols) in stages {
      var h = GPTQHessian(cols: cols)
      for (i, w) in windows.enumerated() {
        try Cancellation.check()
        var x = hidden[i]
        try current.forwardBlocks(0..<1, hidden: &x, n: w.count) { _, s, v, rows, width in
          guard s == site, rows > skip else { return }
          h.add(v.baseAddress! + skip * width, rows: rows - skip)
        }
      }
      let f = try GPTQFactor(hessian: h, config: gptq)
      let L = block
      switch site {
      case .attnInput:
        block.wq = try q(p + "attn_q.weight", L.wq, f); block.wk = try q(p + "attn_k.weight", L.wk, f)
        block.wv = try q(p + "attn_v.weight", L.wv, f)
      case .attnOutput: block.wo = try q(p + "attn_output.weight", L.wo, f)
      case .ffnInput: block.gate = try q(p + "ffn_gate.weight", L.gate, f); block.up = try q(p + "ffn_up.weight", L.up, f)
      default: block.down = try q(p + "ffn_down.weight", L.down, f)
      }
      current = try rebuilt()
    }
    return (block, current)
  }
}
