// BIG-bench JSON tasks (bigbench==1.0.0, `benchmark_tasks/<task>/task.json`) as multiple-choice items.
// Prompt = task_prefix + example_input_prefix + input [+ "\n  choice: c" per choice if append_choices_to_input]
//          + example_output_prefix (trailing space removed; the scorer adds " " + choice).
// BIG-bench defaults: example_input_prefix "\nQ: ", example_output_prefix "\nA: ", append_choices_to_input true.
// Leading newlines are dropped when there is no task prefix (the prompt starts with "Q: ").
// Choices are listed in lexicographic order (the JSON reader does not keep object order; a fixed order keeps
// runs reproducible).
import Foundation

public enum BigBench {
  /// The held-out generalization tasks of the default suite.
  public static let generalizationTasks = ["general_knowledge", "known_unknowns", "misconceptions", "physical_intuition"]

  /// Reads `<root>/bigbench/<task>/task.json`.
  /// `appendChoices` overrides the file's append_choices_to_input (nil = follow the file).
  public static func load(task: String, files: DataFiles = DataFiles(), appendChoices: Bool? = nil) throws -> MCTask {
    let path = files.bigBench(task)
    return try parse(try DataFiles.readJSONObject(path), name: task, path: path, appendChoices: appendChoices)
  }

  static func parse(_ obj: [String: Any], name: String, path: String, appendChoices override: Bool? = nil) throws -> MCTask {
    guard let examples = obj["examples"] as? [[String: Any]], !examples.isEmpty else {
      throw EvaluationError.corruptData(path: path, detail: "no 'examples' list")
    }
    let taskPrefix = obj["task_prefix"] as? String ?? ""
    let inPrefix = obj["example_input_prefix"] as? String ?? "\nQ: "
    let outPrefix = obj["example_output_prefix"] as? String ?? "\nA: "
    let appendChoices = override ?? (obj["append_choices_to_input"] as? Bool ?? true)
    var items: [MCItem] = []
    for (i, ex) in examples.enumerated() {
      let input = try DataFiles.string(ex, "input", path: path, index: i)
      guard let scores = ex["target_scores"] as? [String: Any], scores.count >= 2 else {
        throw EvaluationError.corruptData(path: path, detail: "example \(i + 1) has no 'target_scores' with ≥ 2 choices")
      }
      let choices = scores.keys.sorted()
      let labels = try choices.map { c -> Bool in
        guard let v = (scores[c] as? NSNumber)?.doubleValue else {
          throw EvaluationError.corruptData(path: path, detail: "example \(i + 1): non-numeric target score")
        }
        return v >= 1
      }
      guard let gold = labels.firstIndex(of: true) else { continue }  // no correct answer: not scorable
      var prompt = taskPrefix + inPrefix + input
      if appendChoices { for c in choices { prompt += "\n  choice: " + c } }
      prompt += outPrefix
      if taskPrefix.isEmpty { while prompt.first == "\n" { prompt.removeFirst() } }  // no leading blank line
      let item = MCItem(id: "\(name)/\(i)", context: trimTrailingSpaces(prompt), choices: choices, labels: labels, gold: gold)
      try item.validate(path: path)
      items.append(item)
    }
    return MCTask(name: name, items: items)
  }

  /// TruthfulQA multiple choice (BIG-bench `truthful_qa`). MC1 choices and the best answer come from
  /// `task_mc.json` (target_scores); MC2's true / false answer sets from `questions.json` ("True answers",
  /// "False answers"), matched by question text. Every item scores the union of both answer lists once.
  /// Without questions.json, MC2 falls back to the MC1 choices (one true answer).
  public static func truthfulQA(files: DataFiles = DataFiles()) throws -> MCTask {
    let mcPath = files.truthfulQAMC
    let mc = try parse(try DataFiles.readJSONObject(mcPath), name: "truthful_qa", path: mcPath)
    guard FileManager.default.fileExists(atPath: files.truthfulQAQuestions) else { return mc }
    let qPath = files.truthfulQAQuestions
    let qObj = try DataFiles.readJSONObject(qPath)
    guard let qs = qObj["examples"] as? [[String: Any]] else {
      throw EvaluationError.corruptData(path: qPath, detail: "no 'examples' list")
    }
    var sets: [String: (t: [String], f: [String])] = [:]
    for (i, q) in qs.enumerated() {
      let question = try DataFiles.string(q, "Question", path: qPath, index: i)
      guard let t = q["True answers"] as? [String], let f = q["False answers"] as? [String], !t.isEmpty, !f.isEmpty else {
        throw EvaluationError.corruptData(path: qPath, detail: "question \(i + 1) lacks true/false answer lists")
      }
      sets[question.trimmingCharacters(in: .whitespacesAndNewlines)] = (t, f)
    }
    let mcRaw = (try DataFiles.readJSONObject(mcPath)["examples"] as? [[String: Any]]) ?? []
    var items: [MCItem] = []
    for (k, item) in mc.items.enumerated() {
      let idx = Int(item.id.split(separator: "/").last!)!
      let question = ((mcRaw[idx]["input"] as? String) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
      guard let s = sets[question] else { items.append(item); continue }
      var choices = item.choices, labels = item.labels
      for (ans, truth) in s.t.map({ ($0, true) }) + s.f.map({ ($0, false) }) where !choices.contains(ans) {
        choices.append(ans); labels.append(truth)
      }
      // The MC1 subset keeps task_mc's choices; their labels stay those of task_mc (best answer vs false).
      let full = MCItem(id: item.id, context: item.context, choices: choices, labels: labels, gold: item.gold,
                        accChoices: Array(item.choices.indices))
      try full.validate(path: qPath)
      items.append(full)
      _ = k
    }
    return MCTask(name: "truthful_qa", items: items)
  }
}

func trimTrailingSpaces(_ s: String) -> String {
  var t = Substring(s)
  while let last = t.last, last == " " || last == "\t" { t = t.dropLast() }
  return String(t)
}
