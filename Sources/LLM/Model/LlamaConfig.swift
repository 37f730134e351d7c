// Decoder hyper-parameters, read from GGUF metadata ("<arch>.*" keys). Per-layer head counts and FFN widths
// may be arrays (pruned models, llama.cpp get_key_or_arr); scalars are broadcast to every layer.
// One decoder, small per-family switches (ModelFamily): Llama (incl. Llama-3.1 rope scaling and the Mistral/NeMo
// layout, whose head_dim differs from dim/heads), Qwen2 (Q/K/V biases) and Qwen3 (per-head RMSNorm on Q and K).
import TensorCore

public enum RoPEPairing: String, Codable, Sendable {
  /// Rotate (x0,x1), (x2,x3), … — GGUF Llama files (Q/K rows permuted by convert_hf_to_gguf).
  case adjacent
  /// Rotate (x_i, x_{i+d/2}) — Hugging Face rotate_half on un-permuted weights.
  case halfSplit
}

/// The architectures one decoder runs. GGUF `general.architecture` names them; Mistral checkpoints are "llama".
public enum ModelFamily: String, Codable, Sendable, CaseIterable {
  case llama, qwen2, qwen3

  /// Q/K/V projections carry biases (Qwen2).
  public var hasQKVBias: Bool { self == .qwen2 }
  /// RMSNorm over each head of Q and K before RoPE, one weight vector of headDim shared by the heads (Qwen3).
  public var hasQKNorm: Bool { self == .qwen3 }
  /// Row order of Q/K in this family's GGUF files: llama.cpp permutes Llama's (rotate adjacent pairs) and keeps
  /// Qwen's in Hugging Face order (LLAMA_ROPE_TYPE_NEOX, rotate halves).
  public var ggufPairing: RoPEPairing { self == .llama ? .adjacent : .halfSplit }
}

public struct LlamaConfig: Codable, Sendable, Equatable {
  public var vocabSize: Int
  public var dim: Int
  public var layers: Int
  public var heads: [Int]
  public var kvHeads: [Int]
  public var ffn: [Int]
  public var headDim: Int
  public var ropeDim: Int
  public var ropeTheta: Double
  public var rmsEps: Float
  public var contextLength: Int
  public var ropePairing: RoPEPairing = .adjacent
  public var family: ModelFamily = .llama
  /// Per-frequency divisors of the RoPE inverse frequencies (ropeDim/2 entries; GGUF `rope_freqs.weight`),
  /// nil = none. Llama-3.1's scaling is expressed this way (see RoPEScaling.swift).
  public var ropeFrequencyFactors: [Float]? = nil
  /// The llama3 scaling parameters the factors came from (kept to write HF config.json `rope_scaling`).
  public var ropeScaling: Llama3RoPEScaling? = nil

  public init(vocabSize: Int, dim: Int, layers: Int, heads: [Int], kvHeads: [Int], ffn: [Int], headDim: Int,
              ropeDim: Int? = nil, ropeTheta: Double = 10000, rmsEps: Float = 1e-5, contextLength: Int = 2048,
              ropePairing: RoPEPairing = .adjacent, family: ModelFamily = .llama, ropeFrequencyFactors: [Float]? = nil,
              ropeScaling: Llama3RoPEScaling? = nil) {
    self.vocabSize = vocabSize; self.dim = dim; self.layers = layers; self.heads = heads; self.kvHeads = kvHeads
    self.ffn = ffn; self.headDim = headDim; self.ropeDim = ropeDim ?? headDim; self.ropeTheta = ropeTheta
    self.rmsEps = rmsEps; self.contextLength = contextLength; self.ropePairing = ropePairing
    self.family = family; self.ropeScaling = ropeScaling
    self.ropeFrequencyFactors = ropeFrequencyFactors
      ?? ropeScaling.map { $0.frequencyFactors(ropeDim: ropeDim ?? headDim, theta: ropeTheta) }
  }

  enum CodingKeys: String, CodingKey {
    case vocabSize, dim, layers, heads, kvHeads, ffn, headDim, ropeDim, ropeTheta, rmsEps, contextLength, ropePairing,
         family, ropeFrequencyFactors, ropeScaling
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    vocabSize = try c.decode(Int.self, forKey: .vocabSize); dim = try c.decode(Int.self, forKey: .dim)
    layers = try c.decode(Int.self, forKey: .layers); heads = try c.decode([Int].self, forKey: .heads)
    kvHeads = try c.decode([Int].self, forKey: .kvHeads); ffn = try c.decode([Int].self, forKey: .ffn)
    headDim = try c.decode(Int.self, forKey: .headDim); ropeDim = try c.decode(Int.self, forKey: .ropeDim)
    ropeTheta = try c.decode(Double.self, forKey: .ropeTheta); rmsEps = try c.decode(Float.self, forKey: .rmsEps)
    contextLength = try c.decode(Int.self, forKey: .contextLength)
    ropePairing = try c.decodeIfPresent(RoPEPairing.self, forKey: .ropePairing) ?? .adjacent
    family = try c.decodeIfPresent(ModelFamily.self, forKey: .family) ?? .llama
    ropeFrequencyFactors = try c.decodeIfPresent([Float].self, forKey: .ropeFrequencyFactors)
    ropeScaling = try c.decodeIfPresent(Llama3RoPEScaling.self, forKey: .ropeScaling)
  }

  public var isUniform: Bool { Set(heads).count <= 1 && Set(kvHeads).count <= 1 && Set(ffn).count <= 1 }

  /// Parameters per layer and in total (embedding counted once; tied output not double counted).
  public func parameterCount(tiedOutput: Bool) -> Int {
    var n = vocabSize * dim * (tiedOutput ? 1 : 2) + dim
    for l in 0..<layers {
      n += 2 * dim + dim * heads[l] * headDim * 2 + dim * kvHeads[l] * headDim * 2 + 3 * dim * ffn[l]
    }
    return n
  }

  /// The configuration of blocks `range` alone (per-layer sizes sliced; everything else shared) — a model of
  /// just those blocks computes exactly what they compute inside the whole model (layer-streamed pipelines).
  public func slice(_ range: Range<Int>) -> LlamaConfig {
    var c = self
    c.layers = range.count
    c.heads = Array(heads[range]); c.kvHeads = Array(kvHeads[range]); c.ffn = Array(ffn[range])
    return c
  }

  /// Upper bounds for sizes read from files (far above any real model; they keep products from overflowing).
  public static let maxLayers = 4096, maxSize = 1 << 20, maxVocab = 1 << 24, maxContext = 1 << 24

  public func validate() throws {
    func bad(_ m: String) -> LlamaError { .badConfig(m) }
    try Limits.size(layers, max: Self.maxLayers, name: "block_count", min: 1)
    try Limits.size(dim, max: Self.maxSize, name: "embedding_length", min: 1)
    try Limits.size(vocabSize, max: Self.maxVocab, name: "vocab_size", min: 1)
    for l in 0..<min(layers, heads.count, kvHeads.count, ffn.count) {
      try Limits.size(heads[l], max: Self.maxSize, name: "head_count[\(l)]")
      try Limits.size(kvHeads[l], max: Self.maxSize, name: "head_count_kv[\(l)]")
      try Limits.size(ffn[l], max: Self.maxSize, name: "feed_forward_length[\(l)]")
    }
    try Limits.size(headDim, max: Self.maxSize, name: "head_dim", min: 1)
    try Limits.size(contextLength, max: Self.maxContext, name: "context_length", min: 1)
    guard ropeTheta.isFinite, rmsEps.isFinite else { throw bad("rope theta and rms eps must be finite") }
    guard vocabSize > 0, dim > 0, layers > 0, headDim > 0, headDim % 2 == 0 else { throw bad("sizes must be positive, head dim even") }
    guard heads.count == layers, kvHeads.count == layers, ffn.count == layers else { throw bad("per-layer arrays must have \(layers) entries") }
    for l in 0..<layers {
      guard heads[l] >= 0, kvHeads[l] >= 0, ffn[l] >= 0 else { throw bad("negative size in layer \(l)") }
      guard (heads[l] == 0) == (kvHeads[l] == 0), kvHeads[l] == 0 || heads[l] % kvHeads[l] == 0 else {
        throw bad("layer \(l): \(heads[l]) query heads not a multiple of \(kvHeads[l]) KV heads")
      }
    }
    guard ropeDim > 0, ropeDim <= headDim, ropeDim % 2 == 0 else { throw bad("rope dimension \(ropeDim) vs head dim \(headDim)") }
    guard ropeTheta > 0, rmsEps >= 0 else { throw bad("rope theta / rms eps") }
    if let f = ropeFrequencyFactors {
      guard f.count == ropeDim / 2 else { throw bad("rope_freqs has \(f.count) factors, expected rope dimension/2 = \(ropeDim / 2)") }
      guard f.allSatisfy({ $0.isFinite && $0 > 0 }) else { throw bad("rope_freqs factors must be finite and positive") }
    }
    try ropeScaling?.validate()
  }
}

extension LlamaConfig {
  public init(gguf f: GGUFFile) throws {
    let arch = try f.string("general.architecture")
    guard let family = ModelFamily(rawValue: arch) else { throw LlamaError.unsupportedArchitecture(arch) }
    let p = arch + "."
    let layers = try f.int(p + "block_count")
    try Limits.size(layers, max: LlamaConfig.maxLayers, name: "block_count", min: 1)
    let dim = try f.int(p + "embedding_length")
    func perLayer(_ key: String) throws -> [Int] {
      guard let a = try f.require(key).intArray else { throw GGUFError.wrongKeyType(key: key, expected: "an integer or integer array") }
      if a.count == 1 { return [Int](repeating: a[0], count: layers) }
      guard a.count == layers else { throw LlamaError.badConfig("\(key) has \(a.count) entries for \(layers) layers") }
      return a
    }
    let heads = try perLayer(p + "attention.head_count")
    let kv = f[p + "attention.head_count_kv"] == nil ? heads : try perLayer(p + "attention.head_count_kv")
    let ffn = try perLayer(p + "feed_forward_length")
    guard let h0 = heads.first(where: { $0 > 0 }) ?? heads.first, h0 > 0 || f[p + "attention.key_length"] != nil else {
      throw LlamaError.badConfig("no attention heads")
    }
    let headDim = f[p + "attention.key_length"]?.int ?? dim / max(heads[0], 1)
    if let v = f[p + "attention.value_length"]?.int, v != headDim {
      throw LlamaError.badConfig("\(p)attention.value_length \(v) differs from key_length \(headDim) (not supported)")
    }
    let ropeDim = f[p + "rope.dimension_count"]?.int ?? headDim
    let theta = f[p + "rope.freq_base"]?.double ?? 10000
    // Rope scaling: llama.cpp's Llama-3.1 files carry the factors as the tensor rope_freqs.weight (scaling type
    // absent or "none"); linear/yarn/longrope scaling (other keys) is not implemented and must not be ignored.
    var factors: [Float]? = nil
    if let t = f.tensor("rope_freqs.weight") {
      guard t.elementCount == ropeDim / 2 else {
        throw LlamaError.badTensor("rope_freqs.weight", "has \(t.elementCount) elements, expected \(ropeDim / 2)")
      }
      factors = try GGMLCodec.dequantize(t.type, f.data(t), count: t.elementCount)
    }
    if let type = f[p + "rope.scaling.type"]?.string, type != "none" {
      let factor = f[p + "rope.scaling.factor"]?.double ?? 1
      guard type == "linear" && factor == 1 else {
        throw LlamaError.badConfig("\(p)rope.scaling.type '\(type)' (factor \(factor)) is not supported (only llama3 rope_freqs)")
      }
    }
    if let s = f[p + "rope.scaling.attn_factor"]?.double, s != 1 {
      throw LlamaError.badConfig("\(p)rope.scaling.attn_factor \(s) is not supported")
    }
    let vocab = f[p + "vocab_size"]?.int ?? f["tokenizer.ggml.tokens"]?.array?.count ?? 0
    self.init(vocabSize: vocab, dim: dim, layers: layers, heads: heads, kvHeads: kv, ffn: ffn, headDim: headDim,
              ropeDim: ropeDim, ropeTheta: theta,
              rmsEps: Float(f[p + "attention.layer_norm_rms_epsilon"]?.double ?? 1e-5),
              contextLength: f[p + "context_length"]?.int ?? 2048, ropePairing: family.ggufPairing, family: family,
              ropeFrequencyFactors: factors)
    try validate()
  }
}

public enum LlamaError: Error, CustomStringConvertible, Equatable {
  case unsupportedArchitecture(String)
  case badConfig(String)
  case badTensor(String, String)
  case tokenOutOfRange(Int32, vocab: Int)
  case cacheMismatch(String)
  case contextOverflow(Int, max: Int)
  case emptyInput
  case nonFiniteLogits(position: Int)

  public var description: String {
    switch self {
    case let .unsupportedArchitecture(a): return "unsupported architecture '\(a)' (implemented: \(ModelFamily.allCases.map(\.rawValue).joined(separator: ", ")))"
    case let .badConfig(m): return "bad model configuration: \(m)"
    case let .badTensor(n, m): return "tensor '\(n)': \(m)"
    case let .tokenOutOfRange(t, v): return "token id \(t) outside the vocabulary of \(v)"
    case let .cacheMismatch(m): return "KV cache does not fit this model: \(m)"
    case let .contextOverflow(n, m): return "sequence of \(n) tokens exceeds the maximum of \(m)"
    case .emptyInput: return "no input tokens"
    case let .nonFiniteLogits(p): return "the model produced non-finite logits at generated token \(p) (corrupt or overflowing weights)"
    }
  }
}
