// Log-likelihood of continuations given a context, lm-evaluation-harness style.
//
// The continuation's tokens are found as lm-eval does: tokenize context and context + " " + choice, and
// score the tokens of the whole after their common prefix with the context tokens (BPE may merge across the
// boundary; then the common prefix is shorter and the merged token is scored too).
// With prefix reuse the context runs once; each continuation runs from the KV cache truncated back to the
// common prefix, and its first token is scored from the context's logits. Without reuse every choice runs
// context + continuation from an empty cache. Both give the same numbers (tested).

/// Log-likelihood of one continuation.
public struct ContinuationScore: Sendable, Equatable, Codable {
  /// Σ log p(token) over the continuation's tokens.
  public var logLikelihood: Double
  /// Number of scored tokens.
  public var tokens: Int
  /// Every scored token was the argmax of its distribution.
  public var isGreedy: Bool
}

public enum Scorer {
  /// The delimiter lm-eval puts between context and continuation.
  public static let targetDelimiter = " "

  /// Scores each of `continuations` after `context`.
  public static func score(model: ScoringModel, context: String, continuations: [String],
                           reusePrefix: Bool = true) throws -> [ContinuationScore] {
    let session = try model.makeSession()
    return try score(model: model, session: session, context: context, continuations: continuations,
                     reusePrefix: reusePrefix)
  }

  /// As above, on an existing session (it is truncated to 0 first; callers reuse one session per model).
  public static func score(model: ScoringModel, session: ScoringSession, context: String, continuations: [String],
                           reusePrefix: Bool = true) throws -> [ContinuationScore] {
    let v = model.vocabSize
    let ctx = model.prefixTokens + model.tokenize(context)
    let wholes = continuations.map { model.prefixTokens + model.tokenize(context + targetDelimiter + $0) }
    for w in wholes where w.count > model.maxSequence {
      throw EvaluationError.invalidArgument("sequence of \(w.count) tokens exceeds the model's \(model.maxSequence)")
    }
    try session.truncate(to: 0)
    // Rows predicting token p from the context prefix ctx[..<p], computed on demand (p = ctx.count unless
    // BPE merged across the boundary).
    var firstRows: [Int: [Float]] = [:]
    // `valid` = leading cached tokens known to equal ctx's; the cache is brought to ctx[..<n] by cutting
    // or extending (extension only after a boundary merge, rare).
    var valid = 0
    func cacheContext(_ n: Int) throws {
      if valid < n {
        try session.truncate(to: valid)
        let row = try session.append(Array(ctx[valid..<n]), lastOnly: true)
        firstRows[n] = firstRows[n] ?? row
      } else {
        try session.truncate(to: n)
      }
      valid = n
    }
    if reusePrefix { try cacheContext(ctx.count) }
    var out: [ContinuationScore] = []
    for whole in wholes {
      var p = 0
      while p < ctx.count && p < whole.count && ctx[p] == whole[p] { p += 1 }
      if p == whole.count { p -= 1 }  // continuation tokenized into the context: score its last token
      guard p >= 1 else {
        throw EvaluationError.invalidArgument("cannot score a continuation with an empty context (model has no prefix token)")
      }
      var ll = 0.0, greedy = true
      if reusePrefix {
        // First continuation token from the context run; the rest from the cache cut back to p.
        if firstRows[p] == nil { try cacheContext(p - 1); try cacheContext(p) }
        let (lp, g) = LogSoftmax.logProb(firstRows[p]!, row: 0, vocab: v, target: whole[p])
        ll += lp; greedy = greedy && g
        if whole.count - 1 > p {
          try cacheContext(p)
          let rows = try session.append(Array(whole[p..<(whole.count - 1)]))
          valid = p
          for j in (p + 1)..<whole.count {
            let (lp, g) = LogSoftmax.logProb(rows, row: j - 1 - p, vocab: v, target: whole[j])
            ll += lp; greedy = greedy && g
          }
        }
      } else {
        try session.truncate(to: 0)
        let rows = try session.append(Array(whole[0..<(whole.count - 1)]))
        for j in p..<whole.count {
          let (lp, g) = LogSoftmax.logProb(rows, row: j - 1, vocab: v, target: whole[j])
          ll += lp; greedy = greedy && g
        }
      }
      if !ll.isFinite { throw EvaluationError.model("non-finite log-likelihood (\(ll))") }
      out.append(ContinuationScore(logLikelihood: ll, tokens: whole.count - p, isGreedy: greedy))
    }
    return out
  }
}
