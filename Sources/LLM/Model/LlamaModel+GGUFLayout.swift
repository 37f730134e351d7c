// The tensor list of a model's GGUF file, in file order, from its configuration alone: rope_freqs (when the config
// has frequency factors), token_embd, per block attn_norm, attn_{q,k,v,output}, Q/K norms (Qwen3), Q/K/V biases
// (Qwen2), ffn_norm, ffn_{gate,up,down}, then output_norm and the untied output head. `ggufWriter()` fills it from
// a model in memory; a layer-streamed writer uses it to write the header before any tensor data exists.
// Matrices are rows × cols row-major (GGUF dims [cols, rows]); blocks without heads or FFN omit those tensors.
import TensorCore

public struct GGUFTensorSlot: Sendable, Equatable {
  /// The block index, nil for model-level tensors.
  public let layer: Int?
  /// The name without the "blk.N." prefix ("attn_q.weight", "token_embd.weight").
  public let field: String
  public let rows: Int
  public let cols: Int
  public let isMatrix: Bool
  /// Q/K heads whose rows GGUF keeps in the family's pairing order (0 for other tensors).
  public let permuteHeads: Int
  public var name: String { layer.map { "blk.\($0)." + field } ?? field }
  /// GGUF dims, innermost first.
  public var dims: [Int] { isMatrix ? [cols, rows] : [cols] }
}

extension LlamaLayer {
  /// The matrix stored under the GGUF field name (`attn_q.weight`, …; nil for others or absent).
  public func matrix(_ field: String) -> WeightMatrix? {
    switch field {
    case "attn_q.weight": return wq
    case "attn_k.weight": return wk
    case "attn_v.weight": return wv
    case "attn_output.weight": return wo
    case "ffn_gate.weight": return gate
    case "ffn_up.weight": return up
    case "ffn_down.weight": return down
    default: return nil
    }
  }

  /// The vector stored under the GGUF field name (norms, Q/K norms, biases; nil for others or absent).
  public func vector(_ field: String) -> [Float]? {
    switch field {
    case "attn_norm.weight": return attnNorm
    case "ffn_norm.weight": return ffnNorm
    case "attn_q_norm.weight": return qNorm
    case "attn_k_norm.weight": return kNorm
    case "attn_q.bias": return qBias
    case "attn_k.bias": return kBias
    case "attn_v.bias": return vBias
    default: return nil
    }
  }
}

extension LlamaModel {
  /// The GGUF tensors of a model with configuration `c`, in file order.
  public static func ggufLayout(config c: LlamaConfig, tiedOutput: Bool) -> [GGUFTensorSlot] {
    var s = [GGUFTensorSlot]()
    func v(_ l: Int?, _ f: String, _ n: Int) { if n > 0 { s.append(.init(layer: l, field: f, rows: 1, cols: n, isMatrix: false, permuteHeads: 0)) } }
    func m(_ l: Int?, _ f: String, _ r: Int, _ cols: Int, _ heads: Int = 0) {
      if r > 0 && cols > 0 { s.append(.init(layer: l, field: f, rows: r, cols: cols, isMatrix: true, permuteHeads: heads)) }
    }
    if let f = c.ropeFrequencyFactors { v(nil, "rope_freqs.weight", f.count) }
    m(nil, "token_embd.weight", c.vocabSize, c.dim)
    for l in 0..<c.layers {
      let q = c.heads[l] * c.headDim, k = c.kvHeads[l] * c.headDim, attention = c.heads[l] > 0
      v(l, "attn_norm.weight", c.dim)
      m(l, "attn_q.weight", q, c.dim, c.heads[l]); m(l, "attn_k.weight", k, c.dim, c.kvHeads[l])
      m(l, "attn_v.weight", k, c.dim); m(l, "attn_output.weight", c.dim, q)
      if c.family.hasQKNorm && attention { v(l, "attn_q_norm.weight", c.headDim); v(l, "attn_k_norm.weight", c.headDim) }
      if c.family.hasQKVBias && attention { v(l, "attn_q.bias", q); v(l, "attn_k.bias", k); v(l, "attn_v.bias", k) }
      v(l, "ffn_norm.weight", c.dim)
      m(l, "ffn_gate.weight", c.ffn[l], c.dim); m(l, "ffn_up.weight", c.ffn[l], c.dim); m(l, "ffn_down.weight", c.dim, c.ffn[l])
    }
    v(nil, "output_norm.weight", c.dim)
    if !tiedOutput { m(nil, "output.weight", c.vocabSize, c.dim) }
    return s
  }

  /// llama.cpp's LLAMA_FTYPE for the type of the bulk of the weights (informational: "mostly Q4_1").
  static let ggufFileTypes: [GGMLType: UInt32] = [.f32: 0, .f16: 1, .q4_0: 2, .q4_1: 3, .q8_0: 7, .q5_0: 8, .q5_1: 9,
                                                  .q2_K: 10, .q3_K: 12, .q4_K: 15, .q5_K: 17, .q6_K: 18, .bf16: 32]

  /// The metadata of a model's GGUF file (no tensors): architecture keys from `c`, the tokenizer's keys,
  /// `general.*` and tokenizer keys passed through from `sourceMetadata`; `bulkType` names the file type.
  public static func ggufMetadata(config c: LlamaConfig, tokenizer: Tokenizer, sourceMetadata: [(String, GGUFValue)],
                                  bulkType: GGMLType?, quantized: Bool) -> GGUFWriter {
    var w = GGUFWriter()
    let arch = c.family.rawValue, a = arch + "."
    w.set("general.architecture", .string(arch))
    for (k, v) in sourceMetadata where k.hasPrefix("general.") && !["general.architecture", "general.alignment",
          "general.file_type", "general.quantization_version"].contains(k) { w.set(k, v) }
    if let t = bulkType, let ft = ggufFileTypes[t] { w.set("general.file_type", .uint32(ft)) }
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
    if quantized { w.set("general.quantization_version", .uint32(2)) }
    for (k, v) in tokenizer.ggufMetadata { w.set(k, v) }
    for (k, v) in sourceMetadata where LlamaModel.passthroughTokenizerKeys.contains(k) { w.set(k, v) }
    return w
  }
}
