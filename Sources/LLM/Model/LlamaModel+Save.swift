// Saving a model: GGUF (weights as stored — F32 or ggml blocks — norms F32; per-layer arrays for
// non-uniform sizes, as llama.cpp's get_key_or_arr reads them) or a HF safetensors directory.
import TensorCore
import Foundation

public enum ModelFormat: String, Sendable, CaseIterable { case gguf, safetensors }

extension LlamaModel {
  /// Save to `path`: a .gguf file, or (safetensors) a directory with config.json / model.safetensors / tokenizer.json.
  /// `maxShardBytes` (safetensors only): split the weights into shards of at most this many bytes, with an index.
  public func save(_ path: String, format: ModelFormat = .gguf, dtype: SafetensorsWriter.DType = .f32,
                   maxShardBytes: Int? = nil) throws {
    switch format {
    case .gguf: try ggufWriter().write(path: path)
    case .safetensors: try saveHuggingFace(directory: path, dtype: dtype, maxShardBytes: maxShardBytes)
    }
  }

  /// The GGUF writer for this model (metadata + tensors); weights are referenced, not copied.
  public func ggufWriter() throws -> GGUFWriter {
    let c = config
    var w = GGUFWriter()
    let arch = c.family.rawValue, a = arch + "."
    w.set("general.architecture", .string(arch))
    for (k, v) in sourceMetadata where k.hasPrefix("general.") && !["general.architecture", "general.alignment",
          "general.file_type", "general.quantization_version"].contains(k) { w.set(k, v) }
    // llama.cpp's LLAMA_FTYPE for the type of the bulk of the weights (informational: "mostly Q4_1").
    let ftypes: [GGMLType: UInt32] = [.f32: 0, .f16: 1, .q4_0: 2, .q4_1: 3, .q8_0: 7, .q5_0: 8, .q5_1: 9, .q2_K: 10,
                                      .q3_K: 12, .q4_K: 15, .q5_K: 17, .q6_K: 18, .bf16: 32]
    if let t = layers.first(where: { $0.wq != nil })?.wq?.type ?? layers.first?.gate?.type, let ft = ftypes[t] {
      w.set("general.file_type", .uint32(ft))
    }
    func sizes(_ a: [Int]) -> GGUFValue { Set(a).count == 1 ? .uint32(UInt32(a[0])) : .array(.int32, a.map { .int32(Int32($0)) }) }
    w.set(a + "vocab_size", .uint32(UInt32(c.vocabSize)))
    w.set(a + "context_length", .uint32(UInt32(c.contextLength)))
    w.set(a + "embedding_length", .uint32(UInt32(c.dim)))
    w.set(a + "block_count", .uint32(UInt32(c.layers)))
    w.set(a + "feed_forward_length", sizes(c.ffn))
    w.set(a + "attention.head_count", sizes(c.heads))
    w.set(a + "attention.head_count_kv", sizes(c.kvHeads))
    w.set(a + "attention.key_length", .uint32(UInt32(c.headDim)))
    w.set(a + "attention.value_length", .uint32(UInt32(c.headDim)))
    w.set(a + "rope.dimension_count", .uint32(UInt32(c.ropeDim)))
    w.set(a + "rope.freq_base", .float32(Float(c.ropeTheta)))
    w.set(a + "attention.layer_norm_rms_epsilon", .float32(c.rmsEps))
    if isQuantized { w.set("general.quantization_version", .uint32(2)) }
    for (k, v) in tokenizer.ggufMetadata { w.set(k, v) }
    for (k, v) in sourceMetadata where LlamaModel.passthroughTokenizerKeys.contains(k) { w.set(k, v) }

    func mat(_ name: String, _ m: WeightMatrix?, permuteHeads: Int = 0) throws {
      guard let m else { return }
      if permuteHeads > 0 && c.ropePairing != c.family.ggufPairing {  // e.g. HF order in memory, Llama GGUF wants adjacent
        let v = Self.permuteQK(try m.floats(), heads: permuteHeads, headDim: c.headDim, cols: m.cols, toGGUF: true)
        w.tensors.append(.init(name: name, dims: [m.cols, m.rows], floats: v)); return
      }
      switch m.storage {
      case let .f32(v): w.tensors.append(.init(name: name, dims: [m.cols, m.rows], floats: v))
      case let .quantized(q):
        w.tensors.append(.init(name: name, type: q.type, dims: [m.cols, m.rows], data: m.rawBytes))
      }
    }
    func vec(_ name: String, _ v: [Float]) { w.tensors.append(.init(name: name, dims: [v.count], floats: v)) }
    if c.family != .llama && c.ropePairing != c.family.ggufPairing {
      throw LlamaError.badConfig("\(arch) model with adjacent-pair RoPE rows cannot be saved (its Q/K norms assume HF order)")
    }
    if let f = c.ropeFrequencyFactors { vec("rope_freqs.weight", f) }
    try mat("token_embd.weight", embedding)
    for (i, l) in layers.enumerated() {
      let p = "blk.\(i)."
      vec(p + "attn_norm.weight", l.attnNorm)
      try mat(p + "attn_q.weight", l.wq, permuteHeads: c.heads[i]); try mat(p + "attn_k.weight", l.wk, permuteHeads: c.kvHeads[i])
      try mat(p + "attn_v.weight", l.wv); try mat(p + "attn_output.weight", l.wo)
      for (name, v) in [("attn_q_norm.weight", l.qNorm), ("attn_k_norm.weight", l.kNorm), ("attn_q.bias", l.qBias),
                        ("attn_k.bias", l.kBias), ("attn_v.bias", l.vBias)] {
        if let v { vec(p + name, v) }
      }
      vec(p + "ffn_norm.weight", l.ffnNorm)
      try mat(p + "ffn_gate.weight", l.gate); try mat(p + "ffn_up.weight", l.up); try mat(p + "ffn_down.weight", l.down)
    }
    vec("output_norm.weight", outputNorm)
    try mat("output.weight", output)
    return w
  }

  /// A randomly initialised model (normal(0, std) weights, unit norms) — for tests and examples.
  public static func random(config: LlamaConfig, tokenizer: Tokenizer, seed: UInt64, std: Float = 0.05, tiedOutput: Bool = true) throws -> LlamaModel {
    try config.validate()
    let rng = RNG(seed: seed)
    func m(_ r: Int, _ c: Int, _ name: String) -> WeightMatrix? {
      guard r > 0, c > 0 else { return nil }
      var g = rng.split(name)
      return WeightMatrix(rows: r, cols: c, values: (0..<(r * c)).map { _ in Float(g.normal()) * std })
    }
    let d = config.dim, hd = config.headDim
    let ones = [Float](repeating: 1, count: d)
    let layers = (0..<config.layers).map { i -> LlamaLayer in
      let p = "blk.\(i).", q = config.heads[i] * hd, k = config.kvHeads[i] * hd, f = config.ffn[i]
      func vector(_ n: Int, _ name: String, _ wanted: Bool, mean: Float) -> [Float]? {
        guard wanted, config.heads[i] > 0 else { return nil }
        var g = rng.split(name)
        return (0..<n).map { _ in mean + Float(g.normal()) * std }
      }
      let fam = config.family
      return LlamaLayer(attnNorm: ones, wq: m(q, d, p + "q"), wk: m(k, d, p + "k"), wv: m(k, d, p + "v"), wo: m(d, q, p + "o"),
                        ffnNorm: ones, gate: m(f, d, p + "g"), up: m(f, d, p + "u"), down: m(d, f, p + "d"),
                        qNorm: vector(hd, p + "qn", fam.hasQKNorm, mean: 1), kNorm: vector(hd, p + "kn", fam.hasQKNorm, mean: 1),
                        qBias: vector(q, p + "qb", fam.hasQKVBias, mean: 0), kBias: vector(k, p + "kb", fam.hasQKVBias, mean: 0),
                        vBias: vector(k, p + "vb", fam.hasQKVBias, mean: 0))
    }
    return try LlamaModel(config: config, tokenizer: tokenizer, embedding: m(config.vocabSize, d, "emb")!, layers: layers,
                          outputNorm: ones, output: tiedOutput ? nil : m(config.vocabSize, d, "out"))
  }
}

extension Tokenizer {
  /// A byte-level tokenizer with the 256 byte tokens, optional merges, and ChatML special tokens
  /// (<|endoftext|>=0, <|im_start|>=1, <|im_end|>=2 — SmolLM2's ids) — for tiny test models.
  public static func byteLevel(merges: [String] = []) throws -> Tokenizer {
    var toks = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    var types: [TokenType] = [.control, .control, .control]
    for b in 0..<256 { toks.append(String(ByteLevel.byteToScalar[b])); types.append(.normal) }
    for m in merges { toks.append(m.replacingOccurrences(of: " ", with: "")); types.append(.normal) }
    return try Tokenizer(tokens: toks, tokenTypes: types, merges: merges, preTokenizer: .digitsThenGPT2,
                         preTokenizerName: "smollm", bosID: 1, eosID: 2,
                         chatTemplate: "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}")
  }
}
