// The LLM module's Llama model as a `ScoringModel`: sessions own a KVCache; prefix reuse truncates it.
import LLM

public final class LlamaScoringModel: ScoringModel, FootprintProviding {
  public let model: LlamaModel
  public let name: String
  /// Deployed storage bytes (e.g. the GGUF tensor bytes); nil = the model's in-memory weight bytes.
  public let storageBytes: Double?

  public init(_ model: LlamaModel, name: String = "model", storageBytes: Double? = nil) {
    self.model = model; self.name = name; self.storageBytes = storageBytes
  }

  public var vocabSize: Int { model.config.vocabSize }
  public var prefixTokens: [Int32] {
    if model.tokenizer.addBOS, let b = model.tokenizer.bosID { return [b] }
    return []
  }
  public var maxSequence: Int { model.config.contextLength > 0 ? model.config.contextLength : 2048 }
  public func tokenize(_ text: String) -> [Int32] { model.tokenizer.encode(text, parseSpecial: false, addBOS: false) }
  public func makeSession() throws -> ScoringSession { Session(model) }

  final class Session: ScoringSession {
    let model: LlamaModel
    var cache: KVCache
    init(_ m: LlamaModel) { model = m; cache = m.makeCache(reserve: 512) }
    var count: Int { cache.count }
    func append(_ tokens: [Int32], lastOnly: Bool) throws -> [Float] {
      do { return try model.forward(tokens: tokens, cache: &cache, lastOnly: lastOnly) } catch {
        throw EvaluationError.model("\(error)")
      }
    }
    func truncate(to n: Int) throws {
      guard n >= 0 && n <= cache.count else {
        throw EvaluationError.invalidArgument("truncate to \(n) outside 0...\(cache.count)")
      }
      cache.truncate(to: n)
    }
  }

  /// Footprint for the analytic models:
  ///   params          = LlamaConfig.parameterCount (tied output counted once)
  ///   storageBytes    = `storageBytes` or the in-memory weight bytes
  ///   flopsPerToken   = 2 × (matrix weights used per token: all layer matrices + the output projection;
  ///                     the embedding lookup is free; attention score FLOPs ignored)
  ///   bytesPerToken   = storage − (untied) embedding table (only one row of it is read per token)
  ///   kvBytesPerToken = 2 (K,V) × Σ_layers kvHeads·headDim × 2 bytes (fp16 KV cache, as llama.cpp deploys)
  public var footprint: ModelFootprint {
    let c = model.config
    let tied = model.output == nil
    let params = Double(c.parameterCount(tiedOutput: tied))
    var matmul = Double(c.vocabSize * c.dim)  // output projection
    for l in 0..<c.layers {
      matmul += Double(c.dim * c.heads[l] * c.headDim * 2 + c.dim * c.kvHeads[l] * c.headDim * 2 + 3 * c.dim * c.ffn[l])
    }
    let storage = storageBytes ?? Double(model.weightBytes)
    let embBytes = Double(model.embedding.byteCount) * (Double(model.weightBytes) > 0 ? storage / Double(model.weightBytes) : 1)
    let kv = (0..<c.layers).reduce(0.0) { $0 + 2 * Double(c.kvHeads[$1] * c.headDim) * 2 }
    return ModelFootprint(params: params, storageBytes: storage, flopsPerToken: 2 * matmul,
                          bytesPerToken: tied ? storage : storage - embBytes, kvBytesPerToken: kv)
  }

  /// Tensor bytes of a GGUF file (the deployed size of a model loaded from it).
  public static func ggufTensorBytes(path: String) throws -> Double {
    Double(try GGUFFile.load(path: path).tensors.reduce(0) { $0 + $1.byteCount })
  }
}

extension LlamaScoringModel: GeneratingModel {
  public func detokenize(_ ids: [Int32]) -> String { model.tokenizer.decode(ids, skipSpecial: true) }
  public var stopTokens: Set<Int32> { model.stopTokens }
}
