// The decoder of Llama-architecture models (SmolLM2, Llama-3.1, Mistral/NeMo) and, through ModelFamily's small
// switches (Q/K norms, Q/K/V biases, RoPE pairing), Qwen2 and Qwen3 GGUF files.
//
// API (stable names; the Lua binding and the Evaluation/Compression modules use these):
//   let m = try LlamaModel.load(path: "model.gguf", keepQuantized: false)   // F32 weights (BLAS) or ggml blocks
//   m.config, m.tokenizer
//   var cache = m.makeCache()
//   let logits = try m.forward(tokens: ids, cache: &cache)      // [n × vocab] row-major, positions after the cache
//   try m.forward(tokens:cache:hook: { layer, site, values, rows, cols in … })  // inputs of every linear map
//   try m.forward(tokens:cache:lastOnly: true)                  // only the last row [vocab]
//   try m.tokenLogprobs(ids)            // log p(ids[i] | ids[..<i]) for i ≥ 1
//   try m.logprobs(text)                // tokens + per-token log-probabilities
//   try m.perplexity(text, ctx: 512)    // non-overlapping windows (protocol: .llamaCpp = llama-perplexity's)
//   try m.generate(prompt, maxTokens:, sampling: .greedy / .init(temperature:topK:topP:seed:))
//   try m.chat([.user("…")], maxTokens:, sampling:)
//   try m.save(path, format: .gguf)      // see LlamaModel+Save.swift
// Weights are [out × in] (ggml dims [in, out]); Q/K rows are in GGUF order, so RoPE rotates adjacent pairs
// (config.ropePairing = .adjacent) — HF checkpoints are permuted into this layout on import.

public struct LlamaLayer: @unchecked Sendable {
  public var attnNorm: [Float]
  public var wq: WeightMatrix?
  public var wk: WeightMatrix?
  public var wv: WeightMatrix?
  public var wo: WeightMatrix?
  public var ffnNorm: [Float]
  public var gate: WeightMatrix?
  public var up: WeightMatrix?
  public var down: WeightMatrix?
  /// Qwen3: RMSNorm weights over each head of Q and K (headDim entries, shared by all heads; blk.N.attn_{q,k}_norm).
  public var qNorm: [Float]?
  public var kNorm: [Float]?
  /// Qwen2: biases of the Q/K/V projections (heads·headDim, kvHeads·headDim entries; blk.N.attn_{q,k,v}.bias).
  public var qBias: [Float]?
  public var kBias: [Float]?
  public var vBias: [Float]?
  public init(attnNorm: [Float], wq: WeightMatrix?, wk: WeightMatrix?, wv: WeightMatrix?, wo: WeightMatrix?,
              ffnNorm: [Float], gate: WeightMatrix?, up: WeightMatrix?, down: WeightMatrix?,
              qNorm: [Float]? = nil, kNorm: [Float]? = nil, qBias: [Float]? = nil, kBias: [Float]? = nil, vBias: [Float]? = nil) {
    self.attnNorm = attnNorm; self.wq = wq; self.wk = wk; self.wv = wv; self.wo = wo
    self.ffnNorm = ffnNorm; self.gate = gate; self.up = up; self.down = down
    self.qNorm = qNorm; self.kNorm = kNorm; self.qBias = qBias; self.kBias = kBias; self.vBias = vBias
  }

  /// The same layer with other linear maps; per-family extras (Q/K norms, biases) are carried over unchanged.
  /// Callers that change head counts must slice the biases themselves (Pruner does).
  public func replacing(wq: WeightMatrix?, wk: WeightMatrix?, wv: WeightMatrix?, wo: WeightMatrix?,
                        gate: WeightMatrix?, up: WeightMatrix?, down: WeightMatrix?) -> LlamaLayer {
    var l = self
    l.wq = wq; l.wk = wk; l.wv = wv; l.wo = wo; l.gate = gate; l.up = up; l.down = down
    return l
  }
}

public final class LlamaModel: @unchecked Sendable {
  public let config: LlamaConfig
  public let tokenizer: Tokenizer
  public let embedding: WeightMatrix
  public let layers: [LlamaLayer]
  public let outputNorm: [Float]
  /// Separate output projection; nil = tied to `embedding`.
  public let output: WeightMatrix?
  /// Metadata of the file the model came from (general.*), kept for saving.
  public var sourceMetadata: [(String, GGUFValue)] = []

  public var outputMatrix: WeightMatrix { output ?? embedding }

  /// Tokenizer keys the model does not interpret but keeps when saving.
  static let passthroughTokenizerKeys: Set<String> = ["tokenizer.ggml.unknown_token_id", "tokenizer.ggml.padding_token_id",
    "tokenizer.ggml.add_space_prefix", "tokenizer.ggml.add_eos_token", "tokenizer.ggml.sep_token_id", "tokenizer.ggml.mask_token_id"]

  public init(config: LlamaConfig, tokenizer: Tokenizer, embedding: WeightMatrix, layers: [LlamaLayer],
              outputNorm: [Float], output: WeightMatrix?) throws {
    try config.validate()
    self.config = config; self.tokenizer = tokenizer; self.embedding = embedding; self.layers = layers
    self.outputNorm = outputNorm; self.output = output
    try checkShapes()
  }

  public func makeCache(reserve: Int = 0) -> KVCache { KVCache(config: config, reserve: reserve) }

  /// True when any weight matrix is stored in ggml blocks (not F32).
  public var isQuantized: Bool {
    ([embedding, output].compactMap { $0 } + layers.flatMap { [$0.wq, $0.wk, $0.wv, $0.wo, $0.gate, $0.up, $0.down].compactMap { $0 } })
      .contains { $0.isQuantized }
  }

  /// Total weight bytes as stored in memory.
  public var weightBytes: Int {
    var n = embedding.byteCount + (output?.byteCount ?? 0) + outputNorm.count * 4
    for l in layers {
      n += (l.attnNorm.count + l.ffnNorm.count) * 4
      for w in [l.wq, l.wk, l.wv, l.wo, l.gate, l.up, l.down] { n += w?.byteCount ?? 0 }
    }
    return n
  }

  func checkShapes() throws {
    let c = config, d = c.dim
    func check(_ w: WeightMatrix?, _ name: String, _ rows: Int, _ cols: Int) throws {
      if rows == 0 || cols == 0 { return }
      guard let w else { throw LlamaError.badTensor(name, "missing") }
      guard w.rows == rows, w.cols == cols else {
        throw LlamaError.badTensor(name, "shape \(w.rows)×\(w.cols), expected \(rows)×\(cols)")
      }
    }
    try check(embedding, "token_embd.weight", c.vocabSize, d)
    if let o = output { try check(o, "output.weight", c.vocabSize, d) }
    guard outputNorm.count == d else { throw LlamaError.badTensor("output_norm.weight", "length \(outputNorm.count)") }
    guard layers.count == c.layers else { throw LlamaError.badConfig("\(layers.count) layers, config says \(c.layers)") }
    for (i, l) in layers.enumerated() {
      let p = "blk.\(i)."
      let q = c.heads[i] * c.headDim, kv = c.kvHeads[i] * c.headDim, f = c.ffn[i]
      guard l.attnNorm.count == d, l.ffnNorm.count == d else { throw LlamaError.badTensor(p + "attn_norm/ffn_norm", "length") }
      // Family extras: present exactly when the family has them (a rebuilt layer that dropped them must fail here).
      func extra(_ v: [Float]?, _ name: String, _ n: Int, _ wanted: Bool) throws {
        if wanted && n > 0 {
          guard let v else { throw LlamaError.badTensor(p + name, "missing (required by family '\(c.family.rawValue)')") }
          guard v.count == n else { throw LlamaError.badTensor(p + name, "length \(v.count), expected \(n)") }
        } else if v != nil && n > 0 {
          throw LlamaError.badTensor(p + name, "present, but family '\(c.family.rawValue)' has no such tensor")
        }
      }
      let qkNorm = c.family.hasQKNorm, bias = c.family.hasQKVBias
      try extra(l.qNorm, "attn_q_norm.weight", c.heads[i] > 0 ? c.headDim : 0, qkNorm)
      try extra(l.kNorm, "attn_k_norm.weight", c.heads[i] > 0 ? c.headDim : 0, qkNorm)
      try extra(l.qBias, "attn_q.bias", q, bias); try extra(l.kBias, "attn_k.bias", kv, bias)
      try extra(l.vBias, "attn_v.bias", kv, bias)
      try check(l.wq, p + "attn_q.weight", q, d); try check(l.wk, p + "attn_k.weight", kv, d)
      try check(l.wv, p + "attn_v.weight", kv, d); try check(l.wo, p + "attn_output.weight", d, q)
      try check(l.gate, p + "ffn_gate.weight", f, d); try check(l.up, p + "ffn_up.weight", f, d)
      try check(l.down, p + "ffn_down.weight", d, f)
    }
  }
}

extension LlamaModel {
  /// Load a Llama GGUF file. `keepQuantized`: keep ggml blocks (memory-mapped) and use quantized kernels;
  /// otherwise every matrix is dequantized to Float32. Norm vectors are always Float32.
  /// `preTokenizerFallback`: accept an unknown tokenizer.ggml.pre name (GPT-2 splitting) instead of an error.
  public static func load(path: String, keepQuantized: Bool = false, preTokenizerFallback: Bool = false) throws -> LlamaModel {
    try load(gguf: GGUFFile.load(path: path), keepQuantized: keepQuantized, preTokenizerFallback: preTokenizerFallback)
  }

  public static func load(gguf f: GGUFFile, keepQuantized: Bool = false, preTokenizerFallback: Bool = false) throws -> LlamaModel {
    var config = try LlamaConfig(gguf: f)
    let tok = try Tokenizer(gguf: f, preTokenizerFallback: preTokenizerFallback)
    if config.vocabSize == 0 { config.vocabSize = tok.vocabSize }
    func matrix(_ name: String, required: Bool = true) throws -> WeightMatrix? {
      guard let t = f.tensor(name) else {
        if required { throw GGUFError.missingTensor(name) }
        return nil
      }
      guard t.dims.count <= 2 else { throw LlamaError.badTensor(name, "expected a matrix, dims \(t.dims)") }
      let w = try WeightMatrix(rows: t.rows, cols: t.cols, type: t.type, storage: f.storage, offset: f.dataOffset + t.offset)
      return keepQuantized ? w : try w.dequantized()
    }
    func vector(_ name: String, _ n: Int, required: Bool = true) throws -> [Float]? {
      guard let t = f.tensor(name) else {
        if required { throw GGUFError.missingTensor(name) }
        return nil
      }
      guard t.elementCount == n else { throw LlamaError.badTensor(name, "has \(t.elementCount) elements, expected \(n)") }
      return try GGMLCodec.dequantize(t.type, f.data(t), count: n)
    }
    let emb = try matrix("token_embd.weight")!
    let layers = try (0..<config.layers).map { i -> LlamaLayer in
      let p = "blk.\(i)."
      let att = config.heads[i] > 0, ff = config.ffn[i] > 0
      let hd = config.headDim, fam = config.family
      return LlamaLayer(
        attnNorm: try vector(p + "attn_norm.weight", config.dim)!,
        wq: try matrix(p + "attn_q.weight", required: att), wk: try matrix(p + "attn_k.weight", required: att),
        wv: try matrix(p + "attn_v.weight", required: att), wo: try matrix(p + "attn_output.weight", required: att),
        ffnNorm: try vector(p + "ffn_norm.weight", config.dim)!,
        gate: try matrix(p + "ffn_gate.weight", required: ff), up: try matrix(p + "ffn_up.weight", required: ff),
        down: try matrix(p + "ffn_down.weight", required: ff),
        qNorm: try vector(p + "attn_q_norm.weight", hd, required: att && fam.hasQKNorm),
        kNorm: try vector(p + "attn_k_norm.weight", hd, required: att && fam.hasQKNorm),
        qBias: try vector(p + "attn_q.bias", config.heads[i] * hd, required: att && fam.hasQKVBias),
        kBias: try vector(p + "attn_k.bias", config.kvHeads[i] * hd, required: att && fam.hasQKVBias),
        vBias: try vector(p + "attn_v.bias", config.kvHeads[i] * hd, required: att && fam.hasQKVBias))
    }
    let m = try LlamaModel(config: config, tokenizer: tok, embedding: emb, layers: layers,
                           outputNorm: try vector("output_norm.weight", config.dim)!,
                           output: try matrix("output.weight", required: false))
    m.sourceMetadata = f.keys.filter { $0.hasPrefix("general.") || LlamaModel.passthroughTokenizerKeys.contains($0) }
      .map { ($0, f.metadata[$0]!) }
    return m
  }
}

extension LlamaModel {
  /// The same weights under a modified configuration (e.g. another RoPE pairing for ablations/tests).
  /// Sizes must not change.
  public func withConfig(_ change: (inout LlamaConfig) -> Void) throws -> LlamaModel {
    var c = config
    change(&c)
    let m = try LlamaModel(config: c, tokenizer: tokenizer, embedding: embedding, layers: layers,
                           outputNorm: outputNorm, output: output)
    m.sourceMetadata = sourceMetadata
    return m
  }
}
