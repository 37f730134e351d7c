// Multiple-choice metrics in lm-evaluation-harness conventions.
//   acc      = 1 if argmax_i loglik_i (over the acc choices) is a true choice
//   acc_norm = same with loglik_i / (character length of choice i)
//   MC1      = acc on TruthfulQA (best answer vs false answers)
//   MC2      = Σ_{true} p_i / Σ_{all} p_i with p_i = exp(loglik_i), no length normalisation
//   acc_tok  = same with loglik_i / (token count of choice i)  (reported as a diagnostic)
//   acc_mi   = same with the pointwise mutual information loglik_i − loglik_i(unconditional context), i.e. how
//              much the context raises the choice's likelihood (lm-eval's acc_mutual_info). On HaluEval-QA with
//              SmolLM2 it picked the longer answer 94% of the time (per character 74%, raw 10%): reported only
//              as a diagnostic
import Foundation
import TensorCore

/// Scores of one item.
public struct MCItemResult: Sendable, Equatable, Codable {
  public var id: String
  public var logLikelihoods: [Double]
  public var charLengths: [Int]
  public var tokenCounts: [Int]
  /// argmax by raw log-likelihood (over the acc choices).
  public var predicted: Int
  /// argmax by log-likelihood per character.
  public var predictedNorm: Int
  public var acc: Double
  public var accNorm: Double
  public var accTok: Double
  public var mc2: Double
  public var chance: Double
  /// loglik − unconditional loglik per choice (when an unconditional context was given).
  public var mutualInfo: [Double]? = nil
  public var predictedMI: Int? = nil
  public var accMI: Double? = nil
}

public enum MultipleChoice {
  /// Pure metric computation from log-likelihoods (no model): the hand-checkable core.
  public static func result(item: MCItem, scores: [ContinuationScore],
                            unconditional: [ContinuationScore]? = nil) -> MCItemResult {
    let ll = scores.map(\.logLikelihood)
    let chars = item.choices.map { $0.count }
    let toks = scores.map(\.tokens)
    let idx = item.accChoices ?? Array(item.choices.indices)
    func argmax(_ f: (Int) -> Double) -> Int {
      var best = idx[0]
      for i in idx.dropFirst() where f(i) > f(best) { best = i }
      return best
    }
    let pr = argmax { ll[$0] }
    let pn = argmax { ll[$0] / Double(max(1, chars[$0])) }
    let pt = argmax { ll[$0] / Double(max(1, toks[$0])) }
    // MC2 with a shared max for stability: Σ_true e^(l−m) / Σ_all e^(l−m).
    let m = ll.max() ?? 0
    var num = 0.0, den = 0.0
    for (i, l) in ll.enumerated() {
      let e = exp(l - m)
      den += e
      if item.labels[i] { num += e }
    }
    var r = MCItemResult(id: item.id, logLikelihoods: ll, charLengths: chars, tokenCounts: toks,
                         predicted: pr, predictedNorm: pn,
                         acc: item.labels[pr] ? 1 : 0, accNorm: item.labels[pn] ? 1 : 0,
                         accTok: item.labels[pt] ? 1 : 0, mc2: den > 0 ? num / den : 0, chance: item.chance)
    if let u = unconditional, u.count == ll.count {
      let mi = zip(ll, u).map { $0 - $1.logLikelihood }
      let pm = argmax { mi[$0] }
      r.mutualInfo = mi; r.predictedMI = pm; r.accMI = item.labels[pm] ? 1 : 0
    }
    return r
  }

  /// Scores every item of `task` with `model`. `progress` is called after each item with (done, total).
  /// With `unconditionalContext` (e.g. "Answer:"), every choice is also scored after that context alone and
  /// the mutual-information fields are filled.
  public static func evaluate(model: ScoringModel, task: MCTask, reusePrefix: Bool = true,
                              unconditionalContext: String? = nil,
                              progress: ((Int, Int) -> Void)? = nil) throws -> [MCItemResult] {
    let session = try model.makeSession()
    var out: [MCItemResult] = []
    out.reserveCapacity(task.items.count)
    for (k, item) in task.items.enumerated() {
      try Cancellation.check()
      let s = try Scorer.score(model: model, session: session, context: item.context,
                               continuations: item.choices, reusePrefix: reusePrefix)
      let u = try unconditionalContext.map {
        try Scorer.score(model: model, session: session, context: $0, continuations: item.choices, reusePrefix: reusePrefix)
      }
      out.append(result(item: item, scores: s, unconditional: u))
      progress?(k + 1, task.items.count)
    }
    return out
  }
}
