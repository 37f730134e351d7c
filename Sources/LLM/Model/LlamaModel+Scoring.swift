#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TensorCore
// Likelihood scoring: per-token log-probabilities and perplexity.
//
// perplexity(text, ctx): the token sequence is cut into non-overlapping windows of `ctx` tokens; each window
// is evaluated from an empty cache and every token except the window's first is scored given the tokens
// before it in the window. PPL = exp(total NLL / scored tokens). (llama.cpp's `perplexity` tool scores only
// the second half of each window; this definition is the simple one, matched by tools/reference.)

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
  public func logprobs(_ text: String) throws -> (tokens: [Int32], logprobs: [Double]) {
    let ids = try tokenizer.encode(text, parseSpecial: false, check: Cancellation.check)
    return (ids, try tokenLogprobs(ids))
  }

  public func perplexity(_ text: String, ctx: Int = 512) throws -> PerplexityResult {
    try perplexity(tokens: tokenizer.encode(text, parseSpecial: false, check: Cancellation.check), ctx: ctx)
  }

  public func perplexity(tokens ids: [Int32], ctx: Int = 512) throws -> PerplexityResult {
    guard ctx >= 2 else { throw LlamaError.badConfig("perplexity ctx must be ≥ 2, got \(ctx)") }
    guard ids.count >= 2 else { throw LlamaError.emptyInput }
    guard ctx <= config.contextLength else {
      throw LlamaError.badConfig("perplexity ctx = \(ctx) exceeds the model's context of \(config.contextLength) tokens")
    }
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
}

