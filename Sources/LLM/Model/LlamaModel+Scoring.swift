#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TensorCore
// Likelihood scoring: per-token log-probabilities and perplexity.
//
// perplexity(tokens, ctx, protocol):
//   .full      the token sequence is cut into non-overlapping windows of `ctx` tokens (the last may be
//              shorter); each window is evaluated from an empty cache and every token except the window's
//              first is scored given the tokens before it in the window. PPL = exp(total NLL / scored tokens).
//   .llamaCpp  llama.cpp's `llama-perplexity` protocol (examples/perplexity/perplexity.cpp, perplexity()):
//              the sequence (with BOS first when the model adds one) is cut into ⌊n / ctx⌋ full chunks of
//              `ctx` tokens (a partial tail is dropped; at least 2 chunks' worth of tokens are required, as
//              there); with BOS, each chunk's first token is replaced by BOS; only the second half is scored:
//              positions j = ctx/2 … ctx−2 predict chunk[j+1] from chunk[0…j] (ctx/2 − 1 tokens per even
//              chunk). Every scored token thus sees at least ctx/2 tokens of context, which gives a lower
//              perplexity than .full on the same text.
// Text is tokenized with special-token parsing by default (`parseSpecial`), as encode() and generate() do.

/// How perplexity windows are cut and which tokens are scored (see the file comment).
public enum PerplexityProtocol: String, Sendable, CaseIterable {
  case full
  case llamaCpp = "llama.cpp"
}

public struct PerplexityResult: Sendable, Equatable {
  public let perplexity: Double
  public let nll: Double
  public let scoredTokens: Int
  public let windows: Int
}

extension LlamaModel {
  /// log p(tokens[i] | tokens[..<i]) for i = 1..<n, evaluated after `cache`'s contents (the cache is extended).
  public func tokenLogprobs(_ tokens: [Int32], cache: inout KVCache) throws -> [Double] {
    guard tokens.count >= 2 else { return [] }
    let logits = try forward(tokens: Array(tokens.dropLast()), cache: &cache)
    let V = config.vocabSize
    return logits.withUnsafeBufferPointer { lb in
      (1..<tokens.count).map { i in Kernels.logSoftmax(lb.baseAddress! + (i - 1) * V, count: V, at: Int(tokens[i])) }
    }
  }

  public func tokenLogprobs(_ tokens: [Int32]) throws -> [Double] {
    var cache = makeCache(reserve: tokens.count)
    return try tokenLogprobs(tokens, cache: &cache)
  }

  /// Per-token log p(continuation | context) for several continuations of one shared context. The context
  /// (all but its last token) runs once; each continuation starts from a copy of that cache.
  public func continuationLogprobs(context: [Int32], continuations: [[Int32]]) throws -> [[Double]] {
    guard let last = context.last else { throw LlamaError.emptyInput }
    var base = makeCache(reserve: context.count + (continuations.map(\.count).max() ?? 0))
    if context.count > 1 { _ = try forward(tokens: Array(context.dropLast()), cache: &base, lastOnly: true) }
    return try continuations.map { cont in
      guard !cont.isEmpty else { return [] }
      var c = base
      return try tokenLogprobs([last] + cont, cache: &c)
    }
  }

  /// Tokens of `text` (without BOS unless the tokenizer adds it) and their log-probabilities (first token: none).
  public func logprobs(_ text: String, parseSpecial: Bool = true) throws -> (tokens: [Int32], logprobs: [Double]) {
    let ids = try tokenizer.encode(text, parseSpecial: parseSpecial, check: Cancellation.check)
    return (ids, try tokenLogprobs(ids))
  }

  public func perplexity(_ text: String, ctx: Int = 512, protocol proto: PerplexityProtocol = .full,
                         parseSpecial: Bool = true) throws -> PerplexityResult {
    try perplexity(tokens: tokenizer.encode(text, parseSpecial: parseSpecial, check: Cancellation.check), ctx: ctx, protocol: proto)
  }

  public func perplexity(tokens ids: [Int32], ctx: Int = 512, protocol proto: PerplexityProtocol = .full) throws -> PerplexityResult {
    guard ctx >= 2 else { throw LlamaError.badConfig("perplexity ctx must be ≥ 2, got \(ctx)") }
    guard ids.count >= 2 else { throw LlamaError.emptyInput }
    guard ctx <= config.contextLength else {
      throw LlamaError.badConfig("perplexity ctx = \(ctx) exceeds the model's context of \(config.contextLength) tokens")
    }
    if proto == .llamaCpp { return try perplexityLlamaCpp(tokens: ids, ctx: ctx) }
    var nll = 0.0, count = 0, windows = 0
    var s = 0
    while s < ids.count - 1 {
      let w = Array(ids[s..<min(s + ctx, ids.count)])
      if w.count < 2 { break }
      try Cancellation.check()
      let lp = try tokenLogprobs(w)
      nll -= lp.reduce(0, +); count += lp.count; windows += 1
      s += ctx
    }
    return PerplexityResult(perplexity: exp(nll / Double(count)), nll: nll, scoredTokens: count, windows: windows)
  }

  /// llama.cpp's protocol (see the file comment).
  func perplexityLlamaCpp(tokens input: [Int32], ctx: Int) throws -> PerplexityResult {
    guard ctx >= 4 else { throw LlamaError.badConfig("perplexity ctx must be ≥ 4 with the llama.cpp protocol, got \(ctx)") }
    let bos: Int32? = tokenizer.addBOS ? tokenizer.bosID : nil
    var ids = input
    if let b = bos, ids.first != b { ids.insert(b, at: 0) }
    guard ids.count >= 2 * ctx else {
      throw LlamaError.badConfig("the llama.cpp perplexity protocol needs at least 2·ctx = \(2 * ctx) tokens, got \(ids.count)")
    }
    let chunks = ids.count / ctx, first = ctx / 2
    var nll = 0.0, count = 0
    for k in 0..<chunks {
      var chunk = Array(ids[(k * ctx)..<((k + 1) * ctx)])
      if let b = bos { chunk[0] = b }
      try Cancellation.check()
      let lp = try tokenLogprobs(chunk)   // lp[j − 1] = log p(chunk[j] | chunk[..<j])
      for j in first..<(ctx - 1) { nll -= lp[j]; count += 1 }
    }
    return PerplexityResult(perplexity: exp(nll / Double(count)), nll: nll, scoredTokens: count, windows: chunks)
  }
}
