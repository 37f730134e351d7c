// Hugging Face Llama checkpoints (safetensors, single file or sharded via model.safetensors.index.json,
// plus config.json and tokenizer.json) ↔ LlamaModel.
//
// Names: model.embed_tokens ↔ token_embd, model.layers.N.self_attn.{q,k,v,o}_proj ↔ blk.N.attn_{q,k,v,output},
// mlp.{gate,up,down}_proj ↔ ffn_{gate,up,down}, input_layernorm ↔ attn_norm, post_attention_layernorm ↔
// ffn_norm, model.norm ↔ output_norm, lm_head ↔ output.
// Q/K: convert_hf_to_gguf permutes the rows of q_proj (n_head) and k_proj (n_kv_head) so each head's
// halves (i, i+hd/2) become adjacent pairs (2i, 2i+1); we apply the same permutation on import and its inverse
// on export, so the model always runs with adjacent-pair RoPE.
// Non-uniform (pruned) models: config.json gets "edgelab_heads", "edgelab_kv_heads", "edgelab_ffn" arrays.
import Foundation
import TensorCore

extension LlamaModel {
  /// GGUF row order ← HF row order (toGGUF) or the inverse, for a [heads·hd × cols] matrix.
  public static func permuteQK(_ w: [Float], heads: Int, headDim hd: Int, cols: Int, toGGUF: Bool) -> [Float] {
    var out = [Float](repeating: 0, count: w.count)
    let half = hd / 2
    for h in 0..<heads { for i in 0..<half { for j in 0..<2 {
      let g = h * hd + i * 2 + j, f = h * hd + j * half + i
      let (dst, src) = toGGUF ? (g, f) : (f, g)
      for c in 0..<cols { out[dst * cols + c] = w[src * cols + c] }
    } } }
    return out
  }

  static func hfName(_ ours: String) -> String {
    if ours == "token_embd.weight" { return "model.embed_tokens.weight" }
    if ours == "output_norm.weight" { return "model.norm.weight" }
    if ours == "output.weight" { return "lm_head.weight" }
    let parts = ours.split(separator: ".")  // blk N name weight|bias
    let map = ["attn_q": "self_attn.q_proj", "attn_k": "self_attn.k_proj", "attn_v": "self_attn.v_proj",
               "attn_output": "self_attn.o_proj", "ffn_gate": "mlp.gate_proj", "ffn_up": "mlp.up_proj",
               "ffn_down": "mlp.down_proj", "attn_norm": "input_layernorm", "ffn_norm": "post_attention_layernorm",
               "attn_q_norm": "self_attn.q_norm", "attn_k_norm": "self_attn.k_norm"]
    return "model.layers.\(parts[1]).\(map[String(parts[2])]!).\(parts[3])"
  }

  /// HF config.json `model_type` → family (Mistral checkpoints are the Llama architecture).
  static func family(huggingFaceModelType t: String) throws -> ModelFamily {
    switch t {
    case "llama", "mistral": return .llama
    case "qwen2": return .qwen2
    case "qwen3": return .qwen3
    default: throw LlamaError.unsupportedArchitecture("config.json model_type '\(t)'")
    }
  }

  /// Load a HF directory of a Llama / Mistral / Qwen2 / Qwen3 checkpoint (config.json, tokenizer.json,
  /// model.safetensors or an index of shards). Llama-family Q/K rows are permuted into GGUF order (adjacent-pair
  /// RoPE); `permuteQK: false` keeps HF row order (`ropePairing = .halfSplit`; used by tests). Qwen families always
  /// keep HF order, as their GGUF files do.
  /// `keepWeightType`: F16/BF16 matrices stay 16-bit (memory-mapped from the shard when no Q/K row permutation is
  /// needed, else permuted 16-bit copies), products decode rows on use; otherwise every matrix becomes F32.
  public static func load(huggingFaceDirectory dir: String, permuteQK: Bool = true,
                          preTokenizerFallback: Bool = false, keepWeightType: Bool = false) throws -> LlamaModel {
    try HuggingFaceCheckpoint(directory: dir, permuteQK: permuteQK, preTokenizerFallback: preTokenizerFallback)
      .model(keepWeightType: keepWeightType)
  }

  /// Write a HF Llama directory: config.json, model.safetensors (dtype F32/F16/BF16), tokenizer.json. With
  /// `maxShardBytes`, weights larger than that are split into model-0000k-of-0000N.safetensors shards plus
  /// model.safetensors.index.json. Weight files of an earlier save in the same directory (model.safetensors,
  /// model-*-of-*.safetensors, the index) are removed first, so a stale index can never shadow the new weights.
  public func saveHuggingFace(directory dir: String, dtype: SafetensorsWriter.DType = .f32, maxShardBytes: Int? = nil) throws {
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let c = config
    if c.family != .llama && c.ropePairing != .halfSplit {
      throw LlamaError.badConfig("\(c.family.rawValue) model with adjacent-pair RoPE rows cannot be saved (its Q/K norms assume HF order)")
    }
    if c.ropeFrequencyFactors != nil && c.ropeScaling == nil {
      throw LlamaError.badConfig("rope frequency factors without llama3 rope_scaling parameters cannot be written to config.json")
    }
    var w = SafetensorsWriter()
    w.metadata = ["format": "pt", "producer": "EdgeLab"]
    func put(_ ours: String, _ m: WeightMatrix?, permuteHeads: Int = 0) throws {
      guard let m else { return }
      var v = try m.floats()
      if permuteHeads > 0 && c.ropePairing == .adjacent {
        v = Self.permuteQK(v, heads: permuteHeads, headDim: c.headDim, cols: m.cols, toGGUF: false)
      }
      try w.add(Self.hfName(ours), shape: [m.rows, m.cols], values: v, dtype: dtype)
    }
    try put("token_embd.weight", embedding)
    try put("output.weight", output)
    try w.add(Self.hfName("output_norm.weight"), shape: [c.dim], values: outputNorm, dtype: dtype)
    for (i, l) in layers.enumerated() {
      let p = "blk.\(i)."
      try w.add(Self.hfName(p + "attn_norm.weight"), shape: [c.dim], values: l.attnNorm, dtype: dtype)
      try w.add(Self.hfName(p + "ffn_norm.weight"), shape: [c.dim], values: l.ffnNorm, dtype: dtype)
      try put(p + "attn_q.weight", l.wq, permuteHeads: c.heads[i]); try put(p + "attn_k.weight", l.wk, permuteHeads: c.kvHeads[i])
      try put(p + "attn_v.weight", l.wv); try put(p + "attn_output.weight", l.wo)
      try put(p + "ffn_gate.weight", l.gate); try put(p + "ffn_up.weight", l.up); try put(p + "ffn_down.weight", l.down)
      for (name, v) in [("attn_q_norm.weight", l.qNorm), ("attn_k_norm.weight", l.kNorm), ("attn_q.bias", l.qBias),
                        ("attn_k.bias", l.kBias), ("attn_v.bias", l.vBias)] {
        if let v { try w.add(Self.hfName(p + name), shape: [v.count], values: v, dtype: dtype) }
      }
    }
    let fm = FileManager.default
    for f in try fm.contentsOfDirectory(atPath: dir)
    where f == "model.safetensors" || f == "model.safetensors.index.json"
      || (f.hasPrefix("model-") && f.hasSuffix(".safetensors") && f.contains("-of-")) {
      try fm.removeItem(atPath: dir + "/" + f)
    }
    _ = try w.writeSharded(directory: dir, maxShardBytes: maxShardBytes ?? Int.max)
    try Self.writeHuggingFaceConfig(directory: dir, config: c, tokenizer: tokenizer, tiedOutput: output == nil, dtype: dtype)
  }

  /// Writes config.json and tokenizer.json of a HF directory for `c` (weights are written separately).
  public static func writeHuggingFaceConfig(directory dir: String, config c: LlamaConfig, tokenizer: Tokenizer,
                                            tiedOutput: Bool, dtype: SafetensorsWriter.DType) throws {
    var cfg: [String: Any] = [
      "architectures": [["llama": "LlamaForCausalLM", "qwen2": "Qwen2ForCausalLM", "qwen3": "Qwen3ForCausalLM"][c.family.rawValue]!],
      "model_type": c.family.rawValue, "hidden_size": c.dim, "num_hidden_layers": c.layers,
      "num_attention_heads": c.heads.max() ?? 0, "num_key_value_heads": c.kvHeads.max() ?? 0,
      "intermediate_size": c.ffn.max() ?? 0, "head_dim": c.headDim, "vocab_size": c.vocabSize,
      "rms_norm_eps": Double(c.rmsEps), "rope_theta": c.ropeTheta, "max_position_embeddings": c.contextLength,
      "tie_word_embeddings": tiedOutput, "hidden_act": "silu", "torch_dtype": dtype == .f32 ? "float32" : dtype == .f16 ? "float16" : "bfloat16",
    ]
    if let r = c.ropeScaling { cfg["rope_scaling"] = r.huggingFace }
    if c.family == .qwen2 { cfg["attention_bias"] = true }
    if let b = tokenizer.bosID { cfg["bos_token_id"] = Int(b) }
    if let e = tokenizer.eosID { cfg["eos_token_id"] = Int(e) }
    if !c.isUniform { cfg["edgelab_heads"] = c.heads; cfg["edgelab_kv_heads"] = c.kvHeads; cfg["edgelab_ffn"] = c.ffn }
    try JSONSerialization.data(withJSONObject: cfg, options: [.sortedKeys, .prettyPrinted]).write(to: URL(fileURLWithPath: dir + "/config.json"))
    try tokenizer.huggingFaceJSON().write(to: URL(fileURLWithPath: dir + "/tokenizer.json"))
  }
}
