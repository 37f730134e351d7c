import CLua
import Foundation
import LuaBridge
import LLM
import TensorCore

/// A loaded model held by Lua.
public final class LLMBox {
  public let model: LlamaModel
  public let path: String
  public let quantized: Bool
  public init(model: LlamaModel, path: String, quantized: Bool) { self.model = model; self.path = path; self.quantized = quantized }
}

/// `dequantize = true` (or the older `quantized = false`) converts ggml blocks to F32; the default keeps the
/// file's format (quantized blocks and the quantized kernels for a quantized GGUF).
struct LLMLoadOptions: Codable {
  var dequantize: Bool? = nil
  var quantized: Bool? = nil
  /// Accept an unknown pre-tokenizer name (tokenizer.ggml.pre / tokenizer.json Split regex) and split like GPT-2.
  var pre_tokenizer_fallback = false
  func keepQuantized() throws -> Bool {
    if let d = dequantize, let q = quantized, d == q {
      throw LuaBridgeError.option("options 'dequantize' and 'quantized' contradict each other (use dequantize alone)")
    }
    return !(dequantize ?? quantized.map { !$0 } ?? false)
  }
}
/// `special`: special-token text such as <|im_start|> becomes the special token (default, as encode and
/// generate) or, with false, plain text.
struct LLMTextOptions: Codable { var special = true }
struct LLMGenOptions: Codable {
  var max_tokens = 128
  var temperature = 0.0
  var top_k = 0
  var top_p = 1.0
  var seed = 0
  var system: String? = nil
  var sampling: Sampling {
    Sampling(temperature: Float(temperature), topK: top_k, topP: Float(top_p), seed: UInt64(max(seed, 0)))
  }
}
struct LLMPerplexityOptions: Codable {
  var ctx = 512
  /// "full" (every token of each window but its first) or "llama.cpp" (second half of each ctx chunk).
  var `protocol` = "full"
  var special = true
}
struct LLMSaveOptions: Codable { var format = "gguf"; var dtype = "f32"; var shard_mb: Double = 0 }

extension EdgeLabBinding {
  /// Default model location (fetched by `edgelab fetch`), relative to the working directory.
  public static let defaultModelPath = "assets/models/SmolLM2-135M-Instruct.Q4_1.gguf"

  /// `edgelab.llm`: Llama-family models from GGUF files or HF safetensors directories.
  ///   llm.load([path][, {dequantize=false}]) → model  (path defaults to llm.default_model; the file's format
  ///                                                    is kept unless dequantize=true asks for F32)
  ///   llm.synthetic(dir[, {preset="llama-3.1-8b", layers=0, seed=0, std=0.02, dtype="bf16", shard_mb=2048}]) → info
  ///       random-weight HF checkpoint of a paper model's shape, written shard by shard (Bind+CompressCheckpoint.swift)
  ///   llm.threads([n]) → n  — threads for inference (OpenBLAS and the quantized kernels); no argument: the current count
  ///   model:info() → {layers=, dim=, heads={...}, kv_heads={...}, ffn={...}, vocab=, params=, weight_bytes=, ...}
  ///   model:generate(prompt[, {max_tokens=128, temperature=0, top_k=0, top_p=1, seed=0}])
  ///       → text, {tokens=, ids=, prompt_tokens=, finish=, stop_token=, stop_text=}
  ///   model:chat(question | {{role=, content=}, ...}[, opts]) → text, (same info)
  ///   model:logprobs(text | ids[, {special=true}]) → {tokens={...}, logprobs={...}, sum=}
  ///   model:perplexity(text | ids[, {ctx=512, protocol="full"|"llama.cpp", special=true}]) → ppl, {nll=, tokens=, windows=, protocol=}
  ///   model:encode(text[, {special=true}]) → {ids}, model:decode(ids) → text
  ///   model:save(path[, {format="gguf"|"safetensors", dtype="f32"|"f16"|"bf16", shard_mb=0}])
  public static let llm = EdgeLabBinding("llm") { m, session in
    // The default model resolved against the assets folder (so scripts work from any directory).
    let defaultModel = session.assetsDir + "/" + defaultModelPath.dropFirst("assets/".count)
    m.value("default_model", .string(defaultModel))
    m.function("threads") { call in
      if call.isNoneOrNil(1) { call.push(LLMThreads.current); return 1 }
      let n = try call.integer(1)
      guard n >= 1, n <= 256 else { throw call.argumentError(1, "threads must be in 1...256, got \(n)") }
      LLMThreads.set(n)
      call.push(n)
      return 1
    }
    m.function("batch_activations") { call in
      if !call.isNoneOrNil(1) {
        let mode = try call.string(1)
        guard let b = QuantizedMatrix.BatchActivations(rawValue: mode) else {
          throw call.argumentError(1, "batch activations must be 'int8' or 'float', got '\(mode)'")
        }
        QuantizedMatrix.batchActivations = b
      }
      call.push(QuantizedMatrix.batchActivations.rawValue)
      return 1
    }
    m.function("synthetic") { call in try CompressBinding.synthetic(call) }
    m.function("load") { call in
      let path = try call.optString(1, defaultModel)
      let o = try call.decode(2, defaults: LLMLoadOptions())
      let keep = try o.keepQuantized()
      var isDir: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
        throw call.argumentError(1, "model file '\(path)' not found (run `edgelab fetch` for the default model)")
      }
      let fallback = o.pre_tokenizer_fallback
      let model = isDir.boolValue ? try LlamaModel.load(huggingFaceDirectory: path, preTokenizerFallback: fallback,
                                                                 keepWeightType: keep)
                                  : try LlamaModel.load(path: path, keepQuantized: keep, preTokenizerFallback: fallback)
      call.push(LLMBox(model: model, path: path, quantized: keep && model.isQuantized), as: llmClass)
      return 1
    }
  }

  static func ints(_ a: [Int]) -> LuaValue { .array(a.map { .integer($0) }) }

  /// Matrices per storage type, e.g. {q4_1 = 210, q8_0 = 1} (lower-case ggml names).
  static func weightTypes(_ m: LlamaModel) -> LuaValue {
    var n: [String: LuaValue] = [:]
    let all = [m.embedding, m.output].compactMap { $0 } + m.layers.flatMap { [$0.wq, $0.wk, $0.wv, $0.wo, $0.gate, $0.up, $0.down].compactMap { $0 } }
    for w in all {
      let k = w.type.description.lowercased()
      if case .integer(let c)? = n[k] { n[k] = .integer(c + 1) } else { n[k] = .integer(1) }
    }
    return .table(n)
  }

  static func genResult(_ call: LuaCall, _ r: GenerationResult, _ tok: Tokenizer) -> Int32 {
    call.push(r.text)
    var info: [String: LuaValue] = ["tokens": .integer(r.tokens.count), "ids": ints(r.tokens.map(Int.init)),
                                    "prompt_tokens": .integer(r.promptTokens), "finish": .string(r.finishReason)]
    if let t = r.stopToken { info["stop_token"] = .integer(Int(t)); info["stop_text"] = .string(tok.tokens[Int(t)]) }
    call.push(.table(info))
    return 2
  }

  /// Argument `i` as token ids (an array of integers) or text encoded with `special`.
  static func tokens(_ call: LuaCall, _ i: Int32, _ b: LLMBox, special: Bool) throws -> [Int32] {
    if lua_type(call.L, i) == LUA_TTABLE {
      let ids = try call.numbers(i)
      let V = b.model.config.vocabSize
      for (k, x) in ids.enumerated() where x != x.rounded() || x < 0 || x >= Double(V) {
        throw call.argumentError(i, "token id #\(k + 1) (\(x)) is not an integer in 0..<\(V)")
      }
      return ids.map { Int32($0) }
    }
    return try b.model.tokenizer.encode(try call.string(i), parseSpecial: special, check: Cancellation.check)
  }

  public static let llmClass: LuaClass<LLMBox> = LuaClass<LLMBox>("edgelab.LLM")
    .method("info") { call, b in
      let c = b.model.config
      call.push(.table([
        "architecture": "llama", "path": .string(b.path), "layers": .integer(c.layers), "dim": .integer(c.dim),
        "heads": ints(c.heads), "kv_heads": ints(c.kvHeads), "ffn": ints(c.ffn), "head_dim": .integer(c.headDim),
        "vocab": .integer(c.vocabSize), "context": .integer(c.contextLength), "rope_theta": .number(c.ropeTheta),
        "params": .integer(c.parameterCount(tiedOutput: b.model.output == nil)), "weight_bytes": .integer(b.model.weightBytes),
        "quantized": .boolean(b.quantized), "tied_output": .boolean(b.model.output == nil),
        "tokenizer_pre": .string(b.model.tokenizer.preTokenizerName), "weight_types": weightTypes(b.model),
      ]))
      return 1
    }
    .method("generate") { call, b in
      let prompt = try call.string(2)
      let o = try call.decode(3, defaults: LLMGenOptions())
      guard o.max_tokens >= 0 else { throw call.argumentError(3, "max_tokens must be >= 0") }
      return genResult(call, try b.model.generate(prompt, maxTokens: o.max_tokens, sampling: o.sampling), b.model.tokenizer)
    }
    .method("chat") { call, b in
      var msgs = [ChatMessage]()
      let v = try call.value(2)
      if let s = v.stringValue { msgs = [.user(s)] }
      else if let arr = v.arrayValue {
        for (i, e) in arr.enumerated() {
          guard let t = e.tableValue, let role = t["role"]?.stringValue, let content = t["content"]?.stringValue else {
            throw call.argumentError(2, "message \(i + 1) must be {role=string, content=string}")
          }
          msgs.append(ChatMessage(role: role, content: content))
        }
      } else { throw call.typeError(2, expected: "string or array of messages") }
      let o = try call.decode(3, defaults: LLMGenOptions())
      if let s = o.system { msgs.insert(.system(s), at: 0) }
      return genResult(call, try b.model.chat(msgs, maxTokens: o.max_tokens, sampling: o.sampling), b.model.tokenizer)
    }
    .method("logprobs") { call, b in
      let o = try call.decode(3, defaults: LLMTextOptions())
      let ids = try tokens(call, 2, b, special: o.special)
      let lp = try b.model.tokenLogprobs(ids)
      call.push(.table(["tokens": .array(ids.map { .integer(Int($0)) }), "logprobs": .array(lp.map { .number($0) }),
                        "sum": .number(lp.reduce(0, +))]))
      return 1
    }
    .method("perplexity") { call, b in
      let o = try call.decode(3, defaults: LLMPerplexityOptions())
      guard let proto = PerplexityProtocol(rawValue: o.protocol) else {
        throw call.argumentError(3, "protocol must be 'full' or 'llama.cpp', got '\(o.protocol)'")
      }
      guard o.ctx >= 2 else { throw call.argumentError(3, "ctx must be >= 2, got \(o.ctx)") }
      let ids = try tokens(call, 2, b, special: o.special)
      let r = try b.model.perplexity(tokens: ids, ctx: o.ctx, protocol: proto)
      call.push(r.perplexity)
      call.push(.table(["nll": .number(r.nll), "tokens": .integer(r.scoredTokens), "windows": .integer(r.windows),
                        "protocol": .string(proto.rawValue)]))
      return 2
    }
    .method("encode") { call, b in
      let o = try call.decode(3, defaults: LLMTextOptions())
      call.push(.array(b.model.tokenizer.encode(try call.string(2), parseSpecial: o.special).map { .integer(Int($0)) }))
      return 1
    }
    .method("decode") { call, b in
      let vocab = b.model.tokenizer.vocabSize
      let ids = try call.numbers(2).map { Int32(try Limits.int($0, name: "token id", min: 0, max: vocab - 1)) }
      call.push(b.model.tokenizer.decode(ids))
      return 1
    }
    .method("save") { call, b in
      let path = try call.string(2)
      let o = try call.decode(3, defaults: LLMSaveOptions())
      guard let f = ModelFormat(rawValue: o.format) else { throw call.argumentError(3, "format must be 'gguf' or 'safetensors', got '\(o.format)'") }
      guard let d = SafetensorsWriter.DType(rawValue: o.dtype.uppercased()) else {
        throw call.argumentError(3, "dtype must be 'f32', 'f16' or 'bf16', got '\(o.dtype)'")
      }
      guard o.shard_mb >= 0, o.shard_mb.isFinite else { throw call.argumentError(3, "shard_mb must be ≥ 0 (0 = one file), got \(o.shard_mb)") }
      guard o.shard_mb == 0 || f == .safetensors else { throw call.argumentError(3, "shard_mb applies to format='safetensors' only") }
      try b.model.save(path, format: f, dtype: d, maxShardBytes: o.shard_mb > 0 ? max(1, Int(o.shard_mb * 1e6)) : nil)
      return 0
    }
    .closable()
    .tostring { b in "edgelab.LLM(\(b.path), \(b.model.config.layers) layers, d=\(b.model.config.dim)\(b.quantized ? ", quantized" : ""))" }
}
