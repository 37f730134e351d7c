// Text generation and chat on top of forward(): prefill the prompt in one batch, then decode token by token
// with the KV cache until maxTokens or a stop token (eos, <|im_end|>, <|endoftext|>).
import TensorCore

public struct GenerationResult: Sendable {
  public let text: String
  public let tokens: [Int32]
  public let promptTokens: Int
  /// "eos" (a stop token), "length" (maxTokens reached) or "context" (the model's context is full: generation
  /// is truncated there rather than running past the positions the model was trained for).
  public let finishReason: String
  /// The stop token that ended generation (nil when it stopped at maxTokens).
  public var stopToken: Int32? = nil
}

extension LlamaModel {
  /// Ids that end generation.
  public var stopTokens: Set<Int32> {
    var s = Set<Int32>()
    if let e = tokenizer.eosID { s.insert(e) }
    for t in ["<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<|eom_id|>", "</s>"] { if let id = tokenizer.id(of: t) { s.insert(id) } }
    return s
  }

  public func generate(tokens prompt: [Int32], maxTokens: Int = 128, sampling: Sampling = .greedy) throws -> GenerationResult {
    guard !prompt.isEmpty else { throw LlamaError.emptyInput }
    try sampling.validate()
    try Limits.size(maxTokens, max: Int(Int32.max), name: "max_tokens")
    let context = config.contextLength
    guard prompt.count < context else {
      throw LlamaError.badConfig("prompt of \(prompt.count) tokens does not fit the model's context of \(context) tokens")
    }
    let budget = min(maxTokens, context - prompt.count)
    var cache = makeCache(reserve: prompt.count + budget)
    var rng = RNG(seed: sampling.seed).split("sampling")
    var logits = try forward(tokens: prompt, cache: &cache, lastOnly: true)
    var out = [Int32](), reason = "length", fired: Int32? = nil
    let stops = stopTokens
    while out.count < budget {
      try Cancellation.check()
      guard logits.allSatisfy({ $0.isFinite }) else { throw LlamaError.nonFiniteLogits(position: out.count) }
      let t = logits.withUnsafeBufferPointer { sampling.sample($0, rng: &rng) }
      if stops.contains(t) { reason = "eos"; fired = t; break }
      out.append(t)
      if out.count == budget { if budget < maxTokens { reason = "context" }; break }
      logits = try forward(tokens: [t], cache: &cache, lastOnly: true)
    }
    return GenerationResult(text: tokenizer.decode(out, skipSpecial: true), tokens: out, promptTokens: prompt.count,
                            finishReason: reason, stopToken: fired)
  }

  /// Continue `prompt` (special tokens in it are recognised).
  public func generate(_ prompt: String, maxTokens: Int = 128, sampling: Sampling = .greedy) throws -> GenerationResult {
    try generate(tokens: tokenizer.encode(prompt, check: Cancellation.check), maxTokens: maxTokens, sampling: sampling)
  }

  /// Answer a conversation using the chat template (ChatML for SmolLM2).
  public func chat(_ messages: [ChatMessage], maxTokens: Int = 128, sampling: Sampling = .greedy) throws -> GenerationResult {
    try generate(tokenizer.applyChatTemplate(messages), maxTokens: maxTokens, sampling: sampling)
  }
}
