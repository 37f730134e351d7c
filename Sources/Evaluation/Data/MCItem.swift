// A multiple-choice item in lm-evaluation-harness form: a context and continuations scored after it.
import TensorCore

public struct MCItem: Sendable, Equatable, Codable {
  /// "<task>/<index in the source file>".
  public var id: String
  /// The prompt; the scorer appends `" " + choice` (lm-eval's target delimiter), so it ends without a space.
  public var context: String
  /// Continuations without the leading delimiter.
  public var choices: [String]
  /// Truth of each choice (MC2: true vs false answers; BIG-bench: target score 1).
  public var labels: [Bool]
  /// The single best answer (acc, MC1, HaluEval's right answer).
  public var gold: Int
  /// Choices that take part in acc / MC1 (nil = all). TruthfulQA's MC1 uses a subset of the MC2 answers.
  public var accChoices: [Int]?

  public init(id: String, context: String, choices: [String], labels: [Bool], gold: Int, accChoices: [Int]? = nil) {
    self.id = id; self.context = context; self.choices = choices; self.labels = labels; self.gold = gold
    self.accChoices = accChoices
  }

  /// Expected accuracy of a uniformly random pick among the acc choices.
  public var chance: Double {
    let idx = accChoices ?? Array(choices.indices)
    return Double(idx.filter { labels[$0] }.count) / Double(max(1, idx.count))
  }

  func validate(path: String) throws {
    if choices.count < 2 || labels.count != choices.count || !choices.indices.contains(gold) || !labels[gold] {
      throw EvaluationError.corruptData(path: path, detail: "item \(id) has an inconsistent choice list")
    }
  }
}

/// A named list of items.
public struct MCTask: Sendable, Equatable, Codable {
  public var name: String
  public var items: [MCItem]
  public init(name: String, items: [MCItem]) { self.name = name; self.items = items }
  /// Mean chance accuracy over the items.
  public var chance: Double { items.isEmpty ? 0 : items.map(\.chance).reduce(0, +) / Double(items.count) }

  /// A fixed, seeded subset of `n` items (all items if n is nil or ≥ count), in source order.
  public func subset(n: Int?, seed: UInt64) -> MCTask {
    MCTask(name: name, items: seededSubset(items, n: n, seed: seed, stream: name))
  }
}

/// `n` elements of `items` chosen by a seeded permutation (stream `stream` of `seed`), kept in source order.
/// Same seed ⇒ same subset; subsets for growing `n` are nested.
public func seededSubset<T>(_ items: [T], n: Int?, seed: UInt64, stream: String) -> [T] {
  guard let n = n, n < items.count else { return items }
  var rng = RNG(seed: seed).split("subset/" + stream)
  let pick = rng.permutation(items.count).prefix(max(0, n)).sorted()
  return pick.map { items[$0] }
}
