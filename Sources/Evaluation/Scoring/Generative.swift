// Generative BIG-bench tasks scored by greedy generation and string match (lm-evaluation-harness's
// generate_until BIG-bench tasks; BIG-bench's exact_str_match).
//
// Generation: the prompt (model prefix + context tokens) runs once; then greedy decoding (argmax of each logit
// row) until a stop token of the model, `maxTokens` new tokens, or — once non-whitespace text was produced —
// a newline (BIG-bench answers are one line; the task's stop_string, when it has one, also ends the answer).
// Answer = the decoded text up to the first newline / stop string, whitespace-trimmed.
// exact_match      = 1 if the answer equals one of the targets (both whitespace-trimmed), else 0.
// normalized_match = the same after normalize(): case-folded, ASCII punctuation (Python's string.punctuation)
//                    removed, whitespace runs collapsed to one space, trimmed — lm-eval's exact_match with
//                    ignore_case and ignore_punctuation.
import Foundation

/// A generative item: a prompt and the accepted answers.
public struct GenItem: Sendable, Equatable, Codable {
  public var id: String
  public var context: String
  public var targets: [String]
  /// The task's stop_string (the answer ends before it), if any.
  public var stop: String?
  public init(id: String, context: String, targets: [String], stop: String? = nil) {
    self.id = id; self.context = context; self.targets = targets; self.stop = stop
  }
}

public struct GenTask: Sendable, Equatable, Codable {
  public var name: String
  public var items: [GenItem]
  public init(name: String, items: [GenItem]) { self.name = name; self.items = items }
  public func subset(n: Int?, seed: UInt64) -> GenTask {
    GenTask(name: name, items: seededSubset(items, n: n, seed: seed, stream: name))
  }
}

/// What the model answered on one generative item.
public struct GenItemResult: Sendable, Equatable, Codable {
  public var id: String
  public var answer: String
  public var exactMatch: Double
  public var normalizedMatch: Double
  public var generatedTokens: Int
}

/// A scoring model that can also turn ids back into text (needed to generate answers).
public protocol GeneratingModel: ScoringModel {
  func detokenize(_ ids: [Int32]) -> String
  /// Ids that end generation (end-of-text tokens).
  var stopTokens: Set<Int32> { get }
}

public enum Generative {
  static let punctuation = Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")

  /// Case-folded, punctuation removed, whitespace collapsed and trimmed.
  public static func normalize(_ s: String) -> String {
    let kept = s.lowercased().filter { !punctuation.contains($0) }
    return kept.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
  }

  /// (exact_match, normalized_match) of `answer` against `targets`.
  public static func match(_ answer: String, targets: [String]) -> (exact: Double, normalized: Double) {
    let a = answer.trimmingSpaces, n = normalize(answer)
    let exact = targets.contains { $0.trimmingSpaces == a }
    let norm = targets.contains { normalize($0) == n }
    return (exact ? 1 : 0, norm ? 1 : 0)
  }

  /// The answer part of generated text: up to the first newline after leading whitespace (and before `stop`).
  public static func answer(from text: String, stop: String?) -> String {
    var t = Substring(text)
    while let f = t.first, f.isWhitespace { t = t.dropFirst() }
    if let nl = t.firstIndex(where: { $0 == "\n" || $0 == "\r" }) { t = t[..<nl] }
    if let s = stop, !s.isEmpty, let r = t.range(of: s) { t = t[..<r.lowerBound] }
    return String(t).trimmingSpaces
  }

  /// Greedy answers and their scores for every item of `task`.
  public static func evaluate(model: ScoringModel, task: GenTask, maxTokens: Int,
                              progress: ((Int, Int) -> Void)? = nil) throws -> [GenItemResult] {
    guard let gm = model as? GeneratingModel else {
      throw EvaluationError.invalidArgument("generative task '\(task.name)' needs a model that can decode text; \(model.name) can only score")
    }
    guard maxTokens >= 1 else { throw EvaluationError.invalidArgument("generationTokens must be ≥ 1 (got \(maxTokens))") }
    let session = try model.makeSession()
    var out: [GenItemResult] = []
    for (k, item) in task.items.enumerated() {
      try session.truncate(to: 0)
      let prompt = model.prefixTokens + model.tokenize(item.context)
      guard prompt.count + maxTokens <= model.maxSequence else {
        throw EvaluationError.invalidArgument("item \(item.id): prompt of \(prompt.count) tokens + \(maxTokens) does not fit the model's \(model.maxSequence)")
      }
      var row = try session.append(prompt, lastOnly: true)
      var ids: [Int32] = []
      while ids.count < maxTokens {
        let next = argmax(row)
        if gm.stopTokens.contains(next) { break }
        ids.append(next)
        let text = gm.detokenize(ids)
        if answerEnded(text, stop: item.stop) { break }
        row = try session.append([next], lastOnly: true)
      }
      let ans = answer(from: gm.detokenize(ids), stop: item.stop)
      let m = match(ans, targets: item.targets)
      out.append(GenItemResult(id: item.id, answer: ans, exactMatch: m.exact, normalizedMatch: m.normalized,
                               generatedTokens: ids.count))
      progress?(k + 1, task.items.count)
    }
    return out
  }

  static func answerEnded(_ text: String, stop: String?) -> Bool {
    let body = text.drop(while: { $0.isWhitespace })
    if body.contains(where: { $0 == "\n" || $0 == "\r" }) { return true }
    if let s = stop, !s.isEmpty, body.contains(s) { return true }
    return false
  }

  static func argmax(_ row: [Float]) -> Int32 {
    var best = 0
    for i in 1..<row.count where row[i] > row[best] { best = i }
    return Int32(best)
  }
}
