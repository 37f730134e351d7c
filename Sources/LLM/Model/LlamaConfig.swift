// Llama hyper-parameters, read from GGUF metadata ("<arch>.*" keys). Per-layer head counts and FFN widths
// may be arrays (pruned models, llama.cpp get_key_or_arr); scalars are broadcast to every layer.
import TensorCore

public enum RoPEPairing: String, Codable, Sendable {
  /// Rotate (x0,x1), (x2,x3), … — GGUF Llama files (Q/K rows permuted by convert_hf_to_gguf).
  case adjacent
  /// Rotate (x_i, x_{i+d/2}) — Hugging Face rotate_half on un-permuted weights.
  case halfSplit
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

  public init(vocabSize: Int, dim: Int, layers: Int, heads: [Int], kvHeads: [Int], ffn: [Int], headDim: Int,
              ropeDim: Int? = nil, ropeTheta: Double = 10000, rmsEps: Float = 1e-5, contextLength: Int = 2048,
              ropePairing: RoPEPairing = .adjacent) {
    self.vocabSize = vocabSize; self.dim = dim; self.layers = layers; self.heads = heads; self.kvHeads = kvHeads
    self.ffn = ffn; self.headDim = headDim; self.ropeDim = ropeDim ?? headDim; self.ropeTheta = ropeTheta
    self.rmsEps = rmsEps; self.contextLength = contextLength; self.ropePairing = ropePairing
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
  }
}

extension LlamaConfig {
  public init(gguf f: GGUFFile) throws {
    let arch = try f.string("general.architecture")
    guard arch == "llama" else { throw LlamaError.unsupportedArchitecture(arch) }
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
    let vocab = f[p + "vocab_size"]?.int ?? f["tokenizer.ggml.tokens"]?.array?.count ?? 0
    self.init(vocabSize: vocab, dim: dim, layers: layers, heads: heads, kvHeads: kv, ffn: ffn, headDim: headDim,
              ropeDim: f[p + "rope.dimension_count"]?.int ?? headDim,
              ropeTheta: f[p + "rope.freq_base"]?.double ?? 10000,
              rmsEps: Float(f[p + "attention.layer_norm_rms_epsilon"]?.double ?? 1e-5),
              contextLength: f[p + "context_length"]?.int ?? 2048)
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
    case let .unsupportedArchitecture(a): return "unsupported architecture '\(a)' (only 'llama' is implemented)"
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
