// Perplexity and divergence to a reference model on held-out text.
//
// Token stream: each text tokenized on its own, texts joined by the tokens of "\n\n", cut to `maxTokens`.
// Windows: non-overlapping chunks of (context − prefix) tokens; each runs from an empty cache as
// prefix + chunk. Scored positions: every chunk token when the model has a prefix token (BOS), else every
// chunk token but the first. perplexity = exp(−mean log p). Stated context = `context` tokens per window.
// KL divergence per scored position: KL(P_ref ‖ P_model) = Σ_v p_ref(v) (log p_ref(v) − log p_model(v));
// same-top-token rate: fraction of positions where both argmaxes agree (llama.cpp's "same top p").
import Foundation
import TensorCore

public struct PerplexityScore: Sendable, Equatable, Codable {
  public var perplexity: Double
  /// Mean negative log-likelihood per scored token (nats).
  public var meanNLL: Double
  public var scoredTokens: Int
  public var windows: Int
  public var context: Int
}

public struct DivergenceResult: Sendable, Equatable, Codable {
  /// Mean KL(P_ref ‖ P_model) per scored token (nats) with a bootstrap interval over windows.
  public var kld: Estimate
  /// Fraction of scored tokens whose argmax agrees.
  public var sameTopToken: Double
  public var model: PerplexityScore
  public var reference: PerplexityScore
  /// Per window, in window order (the units a paired comparison of two variants on the same text resamples):
  /// mean KL per scored token, same-top-token fraction, and mean NLL of the model and of the reference.
  public var windowKLD: [Double]? = nil
  public var windowSameTopToken: [Double]? = nil
  public var windowNLL: [Double]? = nil
  public var referenceWindowNLL: [Double]? = nil
}

/// Which held-out text a divergence is measured on (both are disjoint from every compression-side text, see
/// `TextSplits`): the held-out split of the HaluEval summarization documents (news, the calibration domain) or
/// the HaluEval-QA knowledge passages (Wikipedia, another domain).
public struct DivergenceConfig: Codable, Sendable, Equatable {
  public enum Text: String, Codable, Sendable, CaseIterable { case heldOut = "held_out", otherDomain = "other_domain" }
  public var text: Text = .heldOut
  /// Tokens per window (the stated context).
  public var context: Int = 256
  /// Held-out tokens scored.
  public var tokens: Int = 4096
  public var seed: UInt64 = 1234
  public var resamples: Int = 1000
  public init() {}

  public func texts(files: DataFiles) throws -> [String] {
    switch text {
    case .heldOut: return try TextSplits.haluEval(files: files).heldOut
    case .otherDomain: return try HaluEval.knowledgePassages(files: files)
    }
  }

  public func validate() throws {
    guard context >= 2 else { throw EvaluationError.invalidArgument("context must be >= 2 (got \(context))") }
    guard tokens >= 2 else { throw EvaluationError.invalidArgument("tokens must be >= 2 (got \(tokens))") }
    guard resamples >= 0 else { throw EvaluationError.invalidArgument("resamples must be >= 0 (got \(resamples))") }
  }
}

public enum Perplexity {
  /// The token stream of `texts` for `model` (see the file comment).
  public static func tokenStream(model: ScoringModel, texts: [String], maxTokens: Int) -> [Int32] {
    let sep = model.tokenize("\n\n")
    var out: [Int32] = []
    for t in texts {
      if out.count >= maxTokens { break }
      if !out.isEmpty { out += sep }
      out += model.tokenize(t)
    }
    return Array(out.prefix(maxTokens))
  }

  static func windows(_ stream: [Int32], chunk: Int) -> [ArraySlice<Int32>] {
    stride(from: 0, to: stream.count, by: chunk).map { stream[$0..<min(stream.count, $0 + chunk)] }
  }

  static func check(model: ScoringModel, context: Int) throws -> Int {
    let chunk = context - model.prefixTokens.count
    guard chunk >= 2, context <= model.maxSequence else {
      throw EvaluationError.invalidArgument("perplexity context must be in [\(model.prefixTokens.count + 2), \(model.maxSequence)] (got \(context))")
    }
    return chunk
  }

  /// Perplexity of `model` on `texts` with windows of `context` tokens.
  public static func evaluate(model: ScoringModel, texts: [String], context: Int, maxTokens: Int) throws -> PerplexityScore {
    let chunk = try check(model: model, context: context)
    let stream = tokenStream(model: model, texts: texts, maxTokens: maxTokens)
    let session = try model.makeSession()
    let pre = model.prefixTokens
    var nll = 0.0, n = 0, w = 0
    for win in windows(stream, chunk: chunk) {
      try Cancellation.check()
      let seq = pre + Array(win)
      let first = pre.isEmpty ? 1 : pre.count  // first scored position in seq
      guard seq.count > first else { continue }
      try session.truncate(to: 0)
      let rows = try session.append(Array(seq[0..<(seq.count - 1)]))
      for j in first..<seq.count {
        nll -= LogSoftmax.logProb(rows, row: j - 1, vocab: model.vocabSize, target: seq[j]).0
        n += 1
      }
      w += 1
    }
    guard n > 0 else { throw EvaluationError.invalidArgument("no tokens to score for perplexity") }
    return PerplexityScore(perplexity: exp(nll / Double(n)), meanNLL: nll / Double(n), scoredTokens: n,
                            windows: w, context: context)
  }

  /// KL divergence and same-top-token rate of `model` against `reference` on the same windows.
  /// Both models must share the tokenizer (same token stream) and vocabulary size.
  public static func compare(model: ScoringModel, reference: ScoringModel, texts: [String], context: Int,
                             maxTokens: Int, seed: UInt64 = 0, resamples: Int = 1000) throws -> DivergenceResult {
    try compare(models: [model], reference: reference, texts: texts, context: context, maxTokens: maxTokens,
                seed: seed, resamples: resamples)[0]
  }

  /// `compare` for several models against one reference: each window runs the reference once and then every
  /// model (a sweep costs 1 + models forwards per window instead of 2 · models). Results in `models` order.
  public static func compare(models: [ScoringModel], reference: ScoringModel, texts: [String], context: Int,
                             maxTokens: Int, seed: UInt64 = 0, resamples: Int = 1000) throws -> [DivergenceResult] {
    guard !models.isEmpty else { return [] }
    let chunk = try check(model: reference, context: context)
    let stream = tokenStream(model: reference, texts: texts, maxTokens: maxTokens)
    for model in models {
      _ = try check(model: model, context: context)
      guard model.vocabSize == reference.vocabSize, model.prefixTokens == reference.prefixTokens,
            tokenStream(model: model, texts: texts, maxTokens: maxTokens) == stream else {
        throw EvaluationError.invalidArgument("KL divergence needs models with the same tokenizer and vocabulary")
      }
    }
    let v = reference.vocabSize, k = models.count
    let sessions = try models.map { try $0.makeSession() }, sr = try reference.makeSession()
    let pre = reference.prefixTokens
    var lm = [Double](repeating: 0, count: v)
    var klTotal = [Double](repeating: 0, count: k), nllM = [Double](repeating: 0, count: k), same = [Int](repeating: 0, count: k)
    var perWindowKL = [[Double]](repeating: [], count: k), perWindowSame = [[Double]](repeating: [], count: k)
    var perWindowNLL = [[Double]](repeating: [], count: k), perWindowRefNLL = [Double]()
    var nllR = 0.0, n = 0, w = 0
    for win in windows(stream, chunk: chunk) {
      try Cancellation.check()
      let seq = pre + Array(win)
      let first = pre.isEmpty ? 1 : pre.count
      guard seq.count > first else { continue }
      let input = Array(seq[0..<(seq.count - 1)])
      try sr.truncate(to: 0)
      let rr = try sr.append(input)
      // reference log-probabilities and argmax of every scored position, once per window
      var lrs = [[Double]](), ars = [Int]()
      var nllRWin = 0.0
      for j in first..<seq.count {
        var lr = [Double](repeating: 0, count: v)
        ars.append(LogSoftmax.logSoftmax(rr, row: j - 1, vocab: v, into: &lr))
        nllRWin -= lr[Int(seq[j])]
        lrs.append(lr)
      }
      nllR += nllRWin
      let scored = Double(seq.count - first)
      perWindowRefNLL.append(nllRWin / scored)
      for (mi, sm) in sessions.enumerated() {
        try sm.truncate(to: 0)
        let rm = try sm.append(input)
        var klWin = 0.0, sameWin = 0, nllWin = 0.0
        for (pi, j) in (first..<seq.count).enumerated() {
          let am = LogSoftmax.logSoftmax(rm, row: j - 1, vocab: v, into: &lm)
          let lr = lrs[pi]
          var kl = 0.0
          for i in 0..<v { let p = exp(lr[i]); if p > 0 { kl += p * (lr[i] - lm[i]) } }
          klWin += max(0, kl)
          if am == ars[pi] { sameWin += 1 }
          nllWin -= lm[Int(seq[j])]
        }
        klTotal[mi] += klWin; same[mi] += sameWin; nllM[mi] += nllWin
        perWindowKL[mi].append(klWin / scored)
        perWindowSame[mi].append(Double(sameWin) / scored)
        perWindowNLL[mi].append(nllWin / scored)
      }
      n += seq.count - first; w += 1
    }
    guard n > 0 else { throw EvaluationError.invalidArgument("no tokens to score for KL divergence") }
    func pr(_ nll: Double) -> PerplexityScore {
      PerplexityScore(perplexity: exp(nll / Double(n)), meanNLL: nll / Double(n), scoredTokens: n, windows: w, context: context)
    }
    return (0..<k).map { mi in
      // Token-weighted mean; the interval resamples per-window means (tokens within a window are correlated).
      var est = Bootstrap.mean(perWindowKL[mi], resamples: resamples, seed: seed, stream: "kld")
      est.mean = klTotal[mi] / Double(n)
      return DivergenceResult(kld: est, sameTopToken: Double(same[mi]) / Double(n), model: pr(nllM[mi]), reference: pr(nllR),
                              windowKLD: perWindowKL[mi], windowSameTopToken: perWindowSame[mi],
                              windowNLL: perWindowNLL[mi], referenceWindowNLL: perWindowRefNLL)
    }
  }
}
