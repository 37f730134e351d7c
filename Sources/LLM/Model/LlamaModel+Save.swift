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

  /// The GGUF writer for this model (metadata + tensors in `ggufLayout` order); weights are referenced, not copied.
  public func ggufWriter() throws -> GGUFWriter {
    let c = config
    let bulk = layers.first(where: { $0.wq != nil })?.wq?.type ?? layers.first?.gate?.type
    var w = Self.ggufMetadata(config: c, tokenizer: tokenizer, sourceMetadata: sourceMetadata, bulkType: bulk, quantized: isQuantized)
    if c.family != .llama && c.ropePairing != c.family.ggufPairing {
      throw LlamaError.badConfig("\(c.family.rawValue) model with adjacent-pair RoPE rows cannot be saved (its Q/K norms assume HF order)")
    }
    for s in Self.ggufLayout(config: c, tiedOutput: output == nil) {
      if !s.isMatrix {
        let v = s.layer.map { layers[$0].vector(s.field) } ?? (s.field == "rope_freqs.weight" ? c.ropeFrequencyFactors : outputNorm)
        if let v { w.tensors.append(.init(name: s.name, dims: [v.count], floats: v)) }
        continue
      }
      guard let m = s.layer.map({ layers[$0].matrix(s.field) }) ?? (s.field == "output.weight" ? output : embedding) else { continue }
      if s.permuteHeads > 0 && c.ropePairing != c.family.ggufPairing {  // e.g. HF order in memory, Llama GGUF wants adjacent
        let v = Self.permuteQK(try m.floats(), heads: s.permuteHeads, headDim: c.headDim, cols: m.cols, toGGUF: true)
        w.tensors.append(.init(name: s.name, dims: [m.cols, m.rows], floats: v)); continue
      }
      switch m.storage {
      case let .f32(v): w.tensors.append(.init(name: s.name, dims: [m.cols, m.rows], floats: v))
      case let .quantized(q): w.tensors.append(.init(name: s.name, type: q.type, dims: [m.cols, m.rows], data: m.rawBytes))
      }
    }
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
