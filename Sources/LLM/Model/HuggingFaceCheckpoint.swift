// A Hugging Face checkpoint directory opened lazily (config.json, tokenizer.json, model.safetensors or an index of
// shards): the configuration and tokenizer are parsed up front, weights are read one tensor or one decoder layer
// at a time from the memory-mapped shards. `LlamaModel.load(huggingFaceDirectory:)` reads every layer through it;
// layer-streamed pipelines read layer l, use it, and drop it, so a model larger than RAM can be processed.
// Names, Q/K row permutation and the config keys honoured are documented in LlamaModel+Safetensors.swift.
// Resident memory: bytes converted to Float are released from the mapping right after the copy
// (SafetensorsFile.releasePages), so reading the whole file does not leave it counted in the process's RSS.
import Foundation
import TensorCore

public final class HuggingFaceCheckpoint {
  public let directory: String
  public let config: LlamaConfig
  public let tokenizer: Tokenizer
  /// config.json `tie_word_embeddings`.
  public let tiedOutput: Bool
  /// Llama-family Q/K rows are permuted into GGUF order (adjacent-pair RoPE) on read.
  public let permuteQK: Bool
  /// HF tensor name → shard file (empty: one model.safetensors).
  let weightMap: [String: String]
  private var files: [String: SafetensorsFile] = [:]
  private let lock = NSLock()

  public init(directory dir: String, permuteQK: Bool = true, preTokenizerFallback: Bool = false) throws {
    directory = dir
    func read(_ f: String) throws -> Data {
      guard let d = FileManager.default.contents(atPath: dir + "/" + f) else { throw FileIOError.cannotOpen(path: dir + "/" + f, errno: ENOENT) }
      return d
    }
    guard let cfg = (try? JSONSerialization.jsonObject(with: read("config.json"))) as? [String: Any] else {
      throw LlamaError.badConfig("config.json is not a JSON object")
    }
    func int(_ k: String, max: Int = LlamaConfig.maxSize) throws -> Int {
      guard let v = (cfg[k] as? NSNumber)?.doubleValue else { throw LlamaError.badConfig("config.json lacks \(k)") }
      return try Limits.int(v, name: "config.json \(k)", min: 1, max: max)
    }
    let layers = try int("num_hidden_layers", max: LlamaConfig.maxLayers), dim = try int("hidden_size")
    let nh = try int("num_attention_heads")
    let heads = (cfg["edgelab_heads"] as? [Int]) ?? [Int](repeating: nh, count: layers)
    let kv = (cfg["edgelab_kv_heads"] as? [Int]) ?? [Int](repeating: (cfg["num_key_value_heads"] as? Int) ?? nh, count: layers)
    let ffnDefault = try int("intermediate_size")
    let ffn = (cfg["edgelab_ffn"] as? [Int]) ?? [Int](repeating: ffnDefault, count: layers)
    let hd = (cfg["head_dim"] as? Int) ?? dim / nh
    let family = try LlamaModel.family(huggingFaceModelType: (cfg["model_type"] as? String) ?? "llama")
    self.permuteQK = permuteQK && family == .llama
    // Refuse what this decoder does not compute instead of running it wrong.
    if let act = (cfg["hidden_act"] as? String) ?? (cfg["hidden_activation"] as? String), act != "silu" {
      throw LlamaError.badConfig("config.json hidden_act '\(act)' is not supported (only silu)")
    }
    if (cfg["attention_bias"] as? Bool) == true && family != .qwen2 {
      throw LlamaError.badConfig("config.json attention_bias = true is not supported for model_type '\(family.rawValue)'")
    }
    if (cfg["mlp_bias"] as? Bool) == true { throw LlamaError.badConfig("config.json mlp_bias = true is not supported") }
    var context = (cfg["max_position_embeddings"] as? Int) ?? 2048
    // Sliding-window attention: exact while the sequence fits the window, so the window bounds the context
    // (longer sequences are refused by forward instead of attending too far back).
    let slidingUsed = (cfg["use_sliding_window"] as? Bool) ?? (family == .llama)
    if slidingUsed, let w = cfg["sliding_window"] as? Int, w > 0 { context = min(context, w) }
    let theta = (cfg["rope_theta"] as? NSNumber)?.doubleValue
      ?? ((cfg["rope_parameters"] as? [String: Any])?["rope_theta"] as? NSNumber)?.doubleValue ?? 10000
    let scalingObject = cfg["rope_scaling"].flatMap { $0 is NSNull ? nil : $0 } ?? cfg["rope_parameters"]
    let scaling = try Llama3RoPEScaling.fromHuggingFace(scalingObject)
    config = LlamaConfig(vocabSize: try int("vocab_size"), dim: dim, layers: layers, heads: heads, kvHeads: kv,
                         ffn: ffn, headDim: hd, ropeTheta: theta,
                         rmsEps: (cfg["rms_norm_eps"] as? NSNumber)?.floatValue ?? 1e-5,
                         contextLength: context, ropePairing: self.permuteQK ? .adjacent : .halfSplit, family: family,
                         ropeScaling: scaling)
    try config.validate()
    tiedOutput = (cfg["tie_word_embeddings"] as? Bool) ?? false
    tokenizer = try Tokenizer(huggingFaceJSON: read("tokenizer.json"), preTokenizerFallback: preTokenizerFallback)
    if FileManager.default.fileExists(atPath: dir + "/model.safetensors.index.json") {
      guard let idx = (try? JSONSerialization.jsonObject(with: read("model.safetensors.index.json"))) as? [String: Any],
            let map = idx["weight_map"] as? [String: String] else {
        throw LlamaError.badConfig("model.safetensors.index.json lacks weight_map")
      }
      weightMap = map
    } else {
      weightMap = [:]
    }
  }

  /// The shard holding `hf` and the tensor's entry, or nil when absent.
  func locate(_ hf: String) throws -> (SafetensorsFile, SafetensorsInfo)? {
    let file = weightMap[hf] ?? "model.safetensors"
    lock.lock(); defer { lock.unlock() }
    if files[file] == nil { files[file] = try SafetensorsFile.load(path: directory + "/" + file) }
    guard let f = files[file], let info = f.tensors[hf] else { return nil }
    return (f, info)
  }

  /// Rows `rows` of our tensor `ours` (GGUF name) as Float, nil when absent; its pages are released after the copy.
  public func floats(_ ours: String, rows: Int, cols: Int, rowRange: Range<Int>? = nil) throws -> [Float]? {
    let hf = LlamaModel.hfName(ours)
    guard let (f, info) = try locate(hf) else { return nil }
    guard info.elementCount == rows * cols else { throw LlamaError.badTensor(hf, "shape \(info.shape), expected \(rows)×\(cols)") }
    let r = rowRange ?? 0..<rows
    let v = try f.floats(hf, elements: r.lowerBound * cols..<r.upperBound * cols)
    let elementBytes = (info.end - info.begin) / max(info.elementCount, 1)
    f.storage.releasePages(offset: f.dataOffset + info.begin + r.lowerBound * cols * elementBytes, length: r.count * cols * elementBytes)
    return v
  }

  /// A 16-bit matrix kept in its file type: memory-mapped from the shard when no Q/K row permutation is needed,
  /// else a permuted 16-bit copy; nil when the tensor is not F16/BF16.
  public func keptMatrix(_ ours: String, rows: Int, cols: Int, permuteHeads: Int = 0) throws -> WeightMatrix? {
    let hf = LlamaModel.hfName(ours)
    guard let (f, info) = try locate(hf), let type = ["F16": GGMLType.f16, "BF16": .bf16][info.dtype] else { return nil }
    guard info.elementCount == rows * cols else { throw LlamaError.badTensor(hf, "shape \(info.shape), expected \(rows)×\(cols)") }
    guard permuteHeads > 0 && permuteQK else {
      return WeightMatrix(try QuantizedMatrix(rows: rows, cols: cols, type: type, storage: f.storage, offset: f.dataOffset + info.begin))
    }
    // GGUF row h·hd + 2i + j ← HF row h·hd + j·hd/2 + i (as permuteQK), copied as 16-bit rows.
    let src = f.data(info), rowBytes = cols * 2, hd = config.headDim, half = hd / 2
    var bytes = [UInt8](repeating: 0, count: rows * rowBytes)
    bytes.withUnsafeMutableBytes { dst in
      for h in 0..<permuteHeads { for i in 0..<half { for j in 0..<2 {
        let g = h * hd + i * 2 + j, r = h * hd + j * half + i
        dst.baseAddress!.advanced(by: g * rowBytes).copyMemory(from: src.baseAddress! + r * rowBytes, byteCount: rowBytes)
      } } }
    }
    return WeightMatrix(try QuantizedMatrix(rows: rows, cols: cols, type: type, storage: ByteStorage(bytes: bytes)))
  }

  /// A matrix: kept 16-bit when asked for and possible, else F32 (Q/K rows permuted for the Llama family).
  public func matrix(_ ours: String, rows: Int, cols: Int, permuteHeads: Int = 0, keepWeightType: Bool = false) throws -> WeightMatrix? {
    guard rows > 0, cols > 0 else { return nil }
    if keepWeightType, let w = try keptMatrix(ours, rows: rows, cols: cols, permuteHeads: permuteHeads) { return w }
    guard var v = try floats(ours, rows: rows, cols: cols) else { throw SafetensorsError.missingTensor(LlamaModel.hfName(ours)) }
    if permuteHeads > 0 && permuteQK { v = LlamaModel.permuteQK(v, heads: permuteHeads, headDim: config.headDim, cols: cols, toGGUF: true) }
    return WeightMatrix(rows: rows, cols: cols, values: v)
  }

  /// A vector (norm or bias) as Float; nil when not `required` or of length 0.
  public func vector(_ ours: String, _ n: Int, required: Bool = true) throws -> [Float]? {
    guard required, n > 0 else { return nil }
    guard let v = try floats(ours, rows: 1, cols: n) else { throw SafetensorsError.missingTensor(LlamaModel.hfName(ours)) }
    return v
  }

  /// Decoder layer `i` (F32 matrices unless `keepWeightType`).
  public func layer(_ i: Int, keepWeightType: Bool = false) throws -> LlamaLayer {
    let c = config, family = c.family, dim = c.dim, hd = c.headDim
    let p = "blk.\(i).", q = c.heads[i] * hd, k = c.kvHeads[i] * hd, ffn = c.ffn[i]
    let norm = family.hasQKNorm && c.heads[i] > 0, bias = family.hasQKVBias && c.heads[i] > 0
    func m(_ name: String, _ r: Int, _ cols: Int, _ heads: Int = 0) throws -> WeightMatrix? {
      try matrix(p + name, rows: r, cols: cols, permuteHeads: heads, keepWeightType: keepWeightType)
    }
    return LlamaLayer(attnNorm: try vector(p + "attn_norm.weight", dim)!,
                      wq: try m("attn_q.weight", q, dim, c.heads[i]), wk: try m("attn_k.weight", k, dim, c.kvHeads[i]),
                      wv: try m("attn_v.weight", k, dim), wo: try m("attn_output.weight", dim, q),
                      ffnNorm: try vector(p + "ffn_norm.weight", dim)!,
                      gate: try m("ffn_gate.weight", ffn, dim), up: try m("ffn_up.weight", ffn, dim),
                      down: try m("ffn_down.weight", dim, ffn),
                      qNorm: try vector(p + "attn_q_norm.weight", hd, required: norm),
                      kNorm: try vector(p + "attn_k_norm.weight", hd, required: norm),
                      qBias: try vector(p + "attn_q.bias", q, required: bias), kBias: try vector(p + "attn_k.bias", k, required: bias),
                      vBias: try vector(p + "attn_v.bias", k, required: bias))
  }

  public func embedding(keepWeightType: Bool = false) throws -> WeightMatrix {
    try matrix("token_embd.weight", rows: config.vocabSize, cols: config.dim, keepWeightType: keepWeightType)!
  }

  /// The untied output head (nil when tied to the embedding).
  public func output(keepWeightType: Bool = false) throws -> WeightMatrix? {
    guard !tiedOutput else { return nil }
    let (r, c) = (config.vocabSize, config.dim)
    if keepWeightType, let w = try keptMatrix("output.weight", rows: r, cols: c) { return w }
    return try floats("output.weight", rows: r, cols: c).map { WeightMatrix(rows: r, cols: c, values: $0) }
  }

  public func outputNorm() throws -> [Float] { try vector("output_norm.weight", config.dim)! }

  /// The whole model in memory.
  public func model(keepWeightType: Bool = false) throws -> LlamaModel {
    let ls = try (0..<config.layers).map { try layer($0, keepWeightType: keepWeightType) }
    return try LlamaModel(config: config, tokenizer: tokenizer, embedding: try embedding(keepWeightType: keepWeightType),
                          layers: ls, outputNorm: try outputNorm(), output: try output(keepWeightType: keepWeightType))
  }
}
