// Scoring on the bigram test model: log-likelihoods, acc vs acc_norm, MC2, prefix reuse, perplexity, KLD.
@testable import Evaluation
import Foundation
import XCTest

final class ScoringTests: XCTestCase {
  func testContinuationLogLikelihoodByHand() throws {
    let m = BigramModel()
    // context "c:" → [<s>, c, :]; " a": p(" "|":") = 1/6, p(a|" ") = 4/10
    // " bbbb": 1/6 · 2/10 · (5/10)^3
    let s = try Scorer.score(model: m, context: "c:", continuations: ["a", "bbbb"])
    XCTAssertEqual(s[0].logLikelihood, log(1.0 / 6) + log(0.4), accuracy: 1e-6)
    XCTAssertEqual(s[1].logLikelihood, log(1.0 / 6) + log(0.2) + 3 * log(0.5), accuracy: 1e-6)
    XCTAssertEqual(s[0].tokens, 2)
    XCTAssertEqual(s[1].tokens, 5)
    XCTAssertFalse(s[0].isGreedy)  // " " is not the argmax after ":" (uniform row, argmax = token 0)
  }

  func testAccAndAccNormDiffer() throws {
    let m = BigramModel()
    // raw: " a" (−2.708) beats " bbbb" (−5.481); per char: a −2.708/1 < bbbb −5.481/4 = −1.370.
    let item = MCItem(id: "t/0", context: "c:", choices: ["a", "bbbb"], labels: [false, true], gold: 1)
    let r = try MultipleChoice.evaluate(model: m, task: MCTask(name: "t", items: [item]))[0]
    XCTAssertEqual(r.predicted, 0)
    XCTAssertEqual(r.predictedNorm, 1)
    XCTAssertEqual(r.acc, 0)
    XCTAssertEqual(r.accNorm, 1)
    XCTAssertEqual(r.chance, 0.5)
  }

  func testMC2MatchesFormula() {
    // p = [0.5, 0.2, 0.1, 0.05], true = {0, 2}: MC2 = 0.6 / 0.85
    let item = MCItem(id: "h/0", context: "x", choices: ["w", "x", "yy", "z"], labels: [true, false, true, false],
                      gold: 0, accChoices: [0, 1, 3])
    let scores = [0.5, 0.2, 0.1, 0.05].map { ContinuationScore(logLikelihood: log($0), tokens: 1, isGreedy: false) }
    let r = MultipleChoice.result(item: item, scores: scores)
    XCTAssertEqual(r.mc2, 0.6 / 0.85, accuracy: 1e-12)
    XCTAssertEqual(r.acc, 1)  // MC1 over {0,1,3}: 0.5 is the max and true
    // per char: w log .5 = −0.693, x −1.609, z −2.996 → still choice 0
    XCTAssertEqual(r.predictedNorm, 0)
    XCTAssertEqual(r.chance, 1.0 / 3, accuracy: 1e-12)
  }

  func testMutualInformationScoring() throws {
    // Hand scores: ll = [−2, −6], unconditional [−1, −8] → MI = [−1, +2]: raw picks 0, MI picks 1.
    let item = MCItem(id: "m/0", context: "x", choices: ["a", "bbbbbbbb"], labels: [false, true], gold: 1)
    let s = [-2.0, -6.0].map { ContinuationScore(logLikelihood: $0, tokens: 1, isGreedy: false) }
    let u = [-1.0, -8.0].map { ContinuationScore(logLikelihood: $0, tokens: 1, isGreedy: false) }
    let r = MultipleChoice.result(item: item, scores: s, unconditional: u)
    XCTAssertEqual(r.mutualInfo ?? [], [-1, 2])
    XCTAssertEqual(r.predicted, 0)
    XCTAssertEqual(r.predictedMI, 1)
    XCTAssertEqual(r.accMI, 1)
    // Bigram: context "ab" vs unconditional "c:" differ only in p(" " | b) = 1/10 vs p(" " | :) = 1/6,
    // so every choice's MI is log(0.1 · 6) = log 0.6.
    let m = BigramModel()
    let t = MCTask(name: "t", items: [MCItem(id: "t/0", context: "ab", choices: ["a", "bbbb"], labels: [true, false], gold: 0)])
    let e = try MultipleChoice.evaluate(model: m, task: t, unconditionalContext: "c:")[0]
    for mi in e.mutualInfo ?? [] { XCTAssertEqual(mi, log(0.6), accuracy: 1e-6) }
    XCTAssertEqual(e.mutualInfo?.count, 2)
  }

  func testPrefixReuseGivesSameScoresWithFewerTokens() throws {
    let m = BigramModel()
    m.historyWeight = 0.05  // logits depend on the whole cache: wrong truncation would change them
    let conts = ["a", "bbbb", "ab c", "cab"]
    m.tokensRun = 0
    let a = try Scorer.score(model: m, context: "abc: ca:", continuations: conts, reusePrefix: true)
    let withReuse = m.tokensRun
    m.tokensRun = 0
    let b = try Scorer.score(model: m, context: "abc: ca:", continuations: conts, reusePrefix: false)
    let without = m.tokensRun
    for (x, y) in zip(a, b) {
      XCTAssertEqual(x.logLikelihood, y.logLikelihood, accuracy: 1e-9)
      XCTAssertEqual(x.tokens, y.tokens)
    }
    XCTAssertLessThan(withReuse, without)
    // independent reference: the whole sequence scored token by token with a fresh session
    let whole = m.prefixTokens + m.tokenize("abc: ca: cab")
    let s = try m.makeSession()
    let rows = try s.append(whole)
    var ref = 0.0
    for j in (whole.count - 4)..<whole.count {
      ref += LogSoftmax.logProb(rows, row: j - 1, vocab: 6, target: whole[j]).0
    }
    XCTAssertEqual(a[3].logLikelihood, ref, accuracy: 1e-9)
    // A merge across the boundary (": " → one token): the common prefix is shorter than the context.
    m.mergeColonSpace = true
    let c = try Scorer.score(model: m, context: "ab: ca:", continuations: conts, reusePrefix: true)
    let d = try Scorer.score(model: m, context: "ab: ca:", continuations: conts, reusePrefix: false)
    for (x, y) in zip(c, d) {
      XCTAssertEqual(x.logLikelihood, y.logLikelihood, accuracy: 1e-9)
      XCTAssertEqual(x.tokens, y.tokens)
    }
    XCTAssertEqual(c[0].tokens, 2)  // the merged ": " token and "a"
  }

  func testPerplexityAndDivergenceByHand() throws {
    let uniform = BigramModel(weights: [[Double]](repeating: [Double](repeating: 1, count: 6), count: 6))
    let text = String(repeating: "ab c:", count: 20)  // 100 tokens
    let p = try Perplexity.evaluate(model: uniform, texts: [text], context: 16, maxTokens: 100)
    XCTAssertEqual(p.perplexity, 6, accuracy: 1e-9)  // uniform over 6 tokens
    XCTAssertEqual(p.scoredTokens, 100)  // BOS prefix: every token scored
    XCTAssertEqual(p.windows, 7)  // ceil(100 / 15)
    // KL(ref ‖ uniform) after " ": Σ p log(p / (1/6)) with p = [.1,.1,.4,.2,.1,.1]; after "b": [.1,.1,.1,.5,.1,.1];
    // other rows uniform → 0. One-window text "c: b" (tokens c, :, " ", b) with BOS: positions predicted
    // from <s>, c, :, " " → only the row after " " is non-uniform.
    let ref = BigramModel()
    let d = try Perplexity.compare(model: uniform, reference: ref, texts: ["c: b"], context: 16, maxTokens: 100,
                                   seed: 1, resamples: 10)
    let q = [0.1, 0.1, 0.4, 0.2, 0.1, 0.1]
    let klSpace = q.reduce(0) { $0 + $1 * log($1 * 6) }
    XCTAssertEqual(d.kld.mean, klSpace / 4, accuracy: 1e-6)
    // argmax: uniform rows pick token 0; ref rows: uniform (0), uniform (0), uniform(0), after " " → a (2)
    XCTAssertEqual(d.sameTopToken, 0.75, accuracy: 1e-12)
    let selfD = try Perplexity.compare(model: ref, reference: ref, texts: [text], context: 16, maxTokens: 100)
    XCTAssertEqual(selfD.kld.mean, 0, accuracy: 1e-9)
    XCTAssertEqual(selfD.sameTopToken, 1)
    XCTAssertThrowsError(try Perplexity.evaluate(model: uniform, texts: [text], context: 2, maxTokens: 100))
  }

  /// The per-window vectors of a divergence (what paired comparisons between variants resample): the hand case
  /// above window by window, and token-weighted means that equal the pooled numbers and `Perplexity.evaluate`.
  func testDivergencePerWindowVectors() throws {
    let uniform = BigramModel(weights: [[Double]](repeating: [Double](repeating: 1, count: 6), count: 6))
    let ref = BigramModel()
    let one = try Perplexity.compare(model: uniform, reference: ref, texts: ["c: b"], context: 16, maxTokens: 100)
    let q = [0.1, 0.1, 0.4, 0.2, 0.1, 0.1]
    XCTAssertEqual(one.windowKLD?.count, 1)
    XCTAssertEqual(one.windowKLD?[0] ?? .nan, q.reduce(0) { $0 + $1 * log($1 * 6) } / 4, accuracy: 1e-9)
    XCTAssertEqual(one.windowSameTopToken ?? [], [0.75])
    XCTAssertEqual(one.windowNLL?[0] ?? .nan, log(6), accuracy: 1e-12)  // uniform model: log 6 per token
    // 100 tokens, context 16 (BOS + 15): windows of 15 × 6 and 10 tokens.
    let text = String(repeating: "ab c:", count: 20)
    let d = try Perplexity.compare(model: uniform, reference: ref, texts: [text], context: 16, maxTokens: 100)
    let sizes = [Double](repeating: 15, count: 6) + [10]
    func weighted(_ x: [Double]?) -> Double { zip(x ?? [], sizes).reduce(0) { $0 + $1.0 * $1.1 } / 100 }
    XCTAssertEqual(d.windowKLD?.count, 7)
    XCTAssertEqual(weighted(d.windowKLD), d.kld.mean, accuracy: 1e-12)
    XCTAssertEqual(weighted(d.windowSameTopToken), d.sameTopToken, accuracy: 1e-12)
    XCTAssertEqual(weighted(d.windowNLL), try Perplexity.evaluate(model: uniform, texts: [text], context: 16, maxTokens: 100).meanNLL,
                   accuracy: 1e-12)
    XCTAssertEqual(weighted(d.referenceWindowNLL), try Perplexity.evaluate(model: ref, texts: [text], context: 16, maxTokens: 100).meanNLL,
                   accuracy: 1e-12)
    // Several models in one pass: each equals its own comparison.
    let both = try Perplexity.compare(models: [uniform, ref], reference: ref, texts: [text], context: 16, maxTokens: 100)
    XCTAssertEqual(both[0].windowKLD, d.windowKLD)
    XCTAssertEqual(both[1].windowKLD ?? [], [Double](repeating: 0, count: 7))
  }

  func testBootstrapReproducibleAndCalibrated() throws {
    let x = (0..<400).map { Double($0 % 2) }  // Bernoulli(0.5) sample, n = 400
    let a = Bootstrap.mean(x, resamples: 2000, seed: 42)
    let b = Bootstrap.mean(x, resamples: 2000, seed: 42)
    let c = Bootstrap.mean(x, resamples: 2000, seed: 43)
    XCTAssertEqual(a, b)
    XCTAssertNotEqual(a.lo, c.lo)
    XCTAssertEqual(a.mean, 0.5)
    // normal approximation: ±1.96·√(0.25/400) = ±0.049
    XCTAssertEqual(a.hi - a.lo, 2 * 0.049, accuracy: 0.01)
    XCTAssertEqual(Bootstrap.quantile(sorted: [1, 2, 3, 4], 0.5), 2.5)
    let d = try Bootstrap.pairedDifference([1, 1, 0, 1], [1, 0, 0, 0], seed: 1)
    XCTAssertEqual(d.mean, 0.5)
    XCTAssertEqual(try Bootstrap.flipRate([0, 1, 2, 0], [0, 2, 2, 1]), 0.5)
    XCTAssertThrowsError(try Bootstrap.flipRate([0], [0, 1]))
  }
}
