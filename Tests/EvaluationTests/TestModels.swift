// Protocol-conforming test models with hand-computable distributions.
import Evaluation
import Foundation

/// Character-level bigram model over a 6-token vocabulary. Row weights (unnormalised probabilities) depend
/// on the previous token only, unless `historyWeight` ≠ 0, which adds historyWeight × (Σ previous ids) to the
/// logit of "a" — so a session whose cache holds the wrong tokens gives different numbers.
final class BigramModel: ScoringModel {
  static let vocab = ["<s>", " ", "a", "b", "c", ":"]
  let name = "bigram"
  var vocabSize: Int { Self.vocab.count }
  let prefixTokens: [Int32] = [0]
  let maxSequence = 4096
  var weights: [[Double]]
  var historyWeight: Double = 0
  var sessionsOpened = 0
  var tokensRun = 0

  init(weights: [[Double]]? = nil) {
    // rows = previous token, columns = next token; default uniform.
    var w = [[Double]](repeating: [Double](repeating: 1, count: 6), count: 6)
    w[1] = [1, 1, 4, 2, 1, 1]  // after " ": p(a) = 0.4, p(b) = 0.2 (row sum 10)
    w[3] = [1, 1, 1, 5, 1, 1]  // after "b": p(b) = 0.5
    self.weights = weights ?? w
  }

  /// When set, ": " tokenizes as one token (id 4, "c"): a merge across the context/continuation boundary.
  var mergeColonSpace = false

  func tokenize(_ text: String) -> [Int32] {
    var out: [Int32] = []
    var chars = Array(text)[...]
    while let ch = chars.first {
      if mergeColonSpace && ch == ":" && chars.dropFirst().first == " " { out.append(4); chars = chars.dropFirst(2); continue }
      out.append(Int32(Self.vocab.firstIndex(of: String(ch)) ?? 4))  // unknown chars → "c"
      chars = chars.dropFirst()
    }
    return out
  }

  func makeSession() throws -> ScoringSession { sessionsOpened += 1; return Session(model: self) }

  final class Session: ScoringSession {
    let model: BigramModel
    var tokens: [Int32] = []
    init(model: BigramModel) { self.model = model }
    var count: Int { tokens.count }
    func append(_ new: [Int32], lastOnly: Bool) throws -> [Float] {
      var out: [Float] = []
      for t in new {
        tokens.append(t)
        model.tokensRun += 1
        var row = model.weights[Int(t)].map { Float(log($0)) }
        if model.historyWeight != 0 {
          row[2] += Float(model.historyWeight * Double(tokens.dropLast().reduce(0) { $0 + Int($1) }))
        }
        out += row
      }
      return lastOnly ? Array(out.suffix(model.vocabSize)) : out
    }
    func truncate(to n: Int) throws {
      guard n >= 0 && n <= tokens.count else { throw EvaluationError.invalidArgument("truncate \(n)") }
      tokens.removeLast(tokens.count - n)
    }
  }
}
