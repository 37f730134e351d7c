// The model-agnostic interface the evaluation scores through.
//
// A `ScoringModel` tokenizes text and opens `ScoringSession`s: incremental forward passes over a KV cache
// that can be truncated back to a prefix. Truncation is what makes prefix reuse cheap: the context of a
// multiple-choice item is run once, then every continuation is run from the cache cut back to the context.
import Foundation

/// A causal language model the evaluation can score.
public protocol ScoringModel: AnyObject {
  /// Short display name (used in reports and cards).
  var name: String { get }
  /// Size of the logit rows `ScoringSession.append` returns.
  var vocabSize: Int { get }
  /// Tokens placed before every scored sequence (e.g. BOS); may be empty.
  var prefixTokens: [Int32] { get }
  /// Longest sequence a session can hold (prefix included).
  var maxSequence: Int { get }
  /// Tokens of `text` (no BOS / special tokens added).
  func tokenize(_ text: String) -> [Int32]
  /// A new, empty forward session.
  func makeSession() throws -> ScoringSession
}

/// An incremental forward pass with a truncatable KV cache.
public protocol ScoringSession: AnyObject {
  /// Number of tokens in the cache.
  var count: Int { get }
  /// Appends `tokens` after the cached ones and returns their logits, row-major
  /// `[tokens.count × vocabSize]`: row i is the (unnormalised) distribution of the token after `tokens[i]`.
  /// With `lastOnly`, only the last row `[vocabSize]` is returned (saves the output projection of the others).
  func append(_ tokens: [Int32], lastOnly: Bool) throws -> [Float]
  /// Forgets every cached token from position `n` on (0 ≤ n ≤ count).
  func truncate(to n: Int) throws
}

extension ScoringSession {
  /// All rows.
  public func append(_ tokens: [Int32]) throws -> [Float] { try append(tokens, lastOnly: false) }
}

/// log-softmax helpers on a logit row (accumulated in Double for stability).
public enum LogSoftmax {
  /// log Σ exp(row) over `row[offset ..< offset+count]`.
  @inline(__always)
  public static func logSumExp(_ row: UnsafeBufferPointer<Float>) -> Double {
    var m = -Float.infinity
    for v in row where v > m { m = v }
    if !m.isFinite { return Double(m) }
    var s = 0.0
    for v in row { s += exp(Double(v - m)) }
    return Double(m) + log(s)
  }

  /// (log p(target), target is the argmax) for row `r` of a `[rows × vocab]` logit matrix.
  public static func logProb(_ logits: [Float], row r: Int, vocab: Int, target: Int32) -> (Double, Bool) {
    logits.withUnsafeBufferPointer { buf in
      let row = UnsafeBufferPointer(rebasing: buf[(r * vocab)..<((r + 1) * vocab)])
      let lse = logSumExp(row)
      var best = 0
      for i in 1..<vocab where row[i] > row[best] { best = i }
      return (Double(row[Int(target)]) - lse, best == Int(target))
    }
  }

  /// The full log-softmax of row `r` into `out` (Double) and the row's argmax.
  public static func logSoftmax(_ logits: [Float], row r: Int, vocab: Int, into out: inout [Double]) -> Int {
    logits.withUnsafeBufferPointer { buf in
      let row = UnsafeBufferPointer(rebasing: buf[(r * vocab)..<((r + 1) * vocab)])
      let lse = logSumExp(row)
      var best = 0
      for i in 0..<vocab {
        out[i] = Double(row[i]) - lse
        if row[i] > row[best] { best = i }
      }
      return best
    }
  }
}
