// BIG-bench JSON tasks (bigbench==1.0.0, `benchmark_tasks/<task>/task.json`), multiple-choice or generative.
// Prompt = task_prefix + example_input_prefix + input [+ "\n  choice: c" per choice if append_choices_to_input]
//          + example_output_prefix (trailing space removed; the scorer adds " " + choice).
// BIG-bench defaults: example_input_prefix "\nQ: ", example_output_prefix "\nA: ", append_choices_to_input true.
// Leading newlines are dropped when there is no task prefix (the prompt starts with "Q: ").
// Choices are listed in lexicographic order (the JSON reader does not keep object order; a fixed order keeps
// runs reproducible).
// Task names: "<task>" reads <root>/bigbench/<task>/task.json; "<task>/<subtask>" reads
// <root>/bigbench/<task>/<subtask>/task.json. A composite task (its task.json has no "examples") is the
// union of its subtasks: those listed inline under "subtasks", else every <task>/*/task.json in name order
// (as bigbench's json_task.py does); items keep ids "<task>/<subtask>/<index>" and are pooled.
// Kind: multiple choice when every example has target_scores with ≥ 2 choices; generative when every example
// has a "target" (string or list of strings); a mix is refused.
import Foundation

public enum BigBench {
  /// The held-out generalization tasks of the default suite.
  public static let generalizationTasks = ["general_knowledge", "known_unknowns", "misconceptions", "physical_intuition"]

  /// A loaded task: multiple choice (scored by log-likelihood) or generative (scored by greedy generation).
  public enum Loaded: Sendable, Equatable {
    case multipleChoice(MCTask)
    case generative(GenTask)
    public var name: String {
      switch self { case .multipleChoice(let t): return t.name; case .generative(let t): return t.name }
    }
  }

  /// Reads a multiple-choice task (`task` or `task/subtask`; composite tasks pool their subtasks).
  /// `appendChoices` overrides the file's append_choices_to_input (nil = follow the file).
  public static func load(task: String, files: DataFiles = DataFiles(), appendChoices: Bool? = nil) throws -> MCTask {
    switch try loadAny(task: task, files: files, appendChoices: appendChoices) {
    case .multipleChoice(let t): return t
    case .generative:
      throw EvaluationError.invalidArgument("BIG-bench task '\(task)' is generative (examples have 'target', not 'target_scores'): it is scored by generation in eval.run, not by multiple choice")
    }
  }

  /// Reads any JSON task: multiple choice or generative, single, composite or one subtask.
  public static func loadAny(task: String, files: DataFiles = DataFiles(), appendChoices: Bool? = nil) throws -> Loaded {
    let parts = task.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else {
      throw EvaluationError.invalidArgument("BIG-bench task name '\(task)' must be 'task' or 'task/subtask'")
    }
    let path = files.bigBench(task)
    guard FileManager.default.fileExists(atPath: path) else {
      if parts.count == 2, FileManager.default.fileExists(atPath: files.bigBench(parts[0])) {
        let subs = (try? subtaskNames(parts[0], files: files)) ?? []
        throw EvaluationError.invalidArgument("BIG-bench task '\(parts[0])' has no subtask '\(parts[1])'"
          + (subs.isEmpty ? "" : " (subtasks: \(subs.joined(separator: ", ")))"))
      }
      throw EvaluationError.missingTask(task: task, path: path)
    }
    let obj = try DataFiles.readJSONObject(path)
    if obj["examples"] != nil { return try parse(obj, name: task, path: path, appendChoices: appendChoices) }
    // Composite: inline subtasks, else the subtask folders.
    var parsed: [Loaded] = []
    if let inline = obj["subtasks"] as? [[String: Any]], !inline.isEmpty {
      for (i, sub) in inline.enumerated() {
        let subName = (sub["name"] as? String).map { $0.split(separator: ":").last.map(String.init) ?? $0 } ?? "\(i)"
        parsed.append(try parse(sub, name: task + "/" + subName, path: path, appendChoices: appendChoices))
      }
    } else if parts.count == 1 {
      let subs = try subtaskNames(task, files: files)
      guard !subs.isEmpty else {
        throw EvaluationError.corruptData(path: path, detail: "neither 'examples' nor subtasks (no \(task)/*/task.json)")
      }
      for s in subs {
        parsed.append(try parse(try DataFiles.readJSONObject(files.bigBench(task + "/" + s)), name: task + "/" + s,
                                path: files.bigBench(task + "/" + s), appendChoices: appendChoices))
      }
    } else {
      throw EvaluationError.corruptData(path: path, detail: "no 'examples' list")
    }
    return try pool(parsed, name: task)
  }

  /// Subtask folder names of a composite task (those holding a task.json), sorted.
  public static func subtaskNames(_ task: String, files: DataFiles = DataFiles()) throws -> [String] {
    let dir = "\(files.root)/bigbench/\(task)"
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
    return names.filter { FileManager.default.fileExists(atPath: "\(dir)/\($0)/task.json") }.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
  }

  static func pool(_ subtasks: [Loaded], name: String) throws -> Loaded {
    var mc: [MCItem] = [], gen: [GenItem] = []
    for s in subtasks {
      switch s { case .multipleChoice(let t): mc += t.items; case .generative(let t): gen += t.items }
    }
    if !mc.isEmpty && !gen.isEmpty {
      throw EvaluationError.invalidArgument("composite BIG-bench task '\(name)' mixes multiple-choice and generative subtasks: evaluate them separately as '\(name)/<subtask>'")
    }
    return gen.isEmpty ? .multipleChoice(MCTask(name: name, items: mc)) : .generative(GenTask(name: name, items: gen))
  }

  static func parse(_ obj: [String: Any], name: String, path: String, appendChoices override: Bool? = nil) throws -> Loaded {
    guard let examples = obj["examples"] as? [[String: Any]], !examples.isEmpty else {
      throw EvaluationError.corruptData(path: path, detail: "no 'examples' list")
    }
    let isMC = examples.allSatisfy { ($0["target_scores"] as? [String: Any]).map { $0.count >= 2 } ?? false }
    if !isMC && examples.allSatisfy({ $0["target"] != nil }) {
      return .generative(try parseGenerative(obj, examples: examples, name: name, path: path))
    }
    let taskPrefix = obj["task_prefix"] as? String ?? ""
    let inPrefix = obj["example_input_prefix"] as? String ?? "\nQ: "
    let outPrefix = obj["example_output_prefix"] as? String ?? "\nA: "
    let appendChoices = override ?? (obj["append_choices_to_input"] as? Bool ?? true)
    var items: [MCItem] = []
    for (i, ex) in examples.enumerated() {
      let input = try DataFiles.string(ex, "input", path: path, index: i)
      guard let scores = ex["target_scores"] as? [String: Any], scores.count >= 2 else {
        throw EvaluationError.corruptData(path: path, detail: "example \(i + 1) has no 'target_scores' with ≥ 2 choices (and not every example has a generative 'target')")
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
    return .multipleChoice(MCTask(name: name, items: items))
  }

  /// Generative examples: the same prompt without choices; targets from "target" (a string or a list).
  static func parseGenerative(_ obj: [String: Any], examples: [[String: Any]], name: String, path: String) throws -> GenTask {
    let taskPrefix = obj["task_prefix"] as? String ?? ""
    let inPrefix = obj["example_input_prefix"] as? String ?? "\nQ: "
    let outPrefix = obj["example_output_prefix"] as? String ?? "\nA: "
    let stop = obj["stop_string"] as? String
    var items: [GenItem] = []
    for (i, ex) in examples.enumerated() {
      let input = try DataFiles.string(ex, "input", path: path, index: i)
      let targets: [String]
      if let t = ex["target"] as? String { targets = [t] } else if let t = ex["target"] as? [String] { targets = t } else {
        throw EvaluationError.corruptData(path: path, detail: "example \(i + 1): 'target' is neither a string nor a list of strings")
      }
      guard !targets.isEmpty else { throw EvaluationError.corruptData(path: path, detail: "example \(i + 1) has no targets") }
      var prompt = taskPrefix + inPrefix + input + outPrefix
      if taskPrefix.isEmpty { while prompt.first == "\n" { prompt.removeFirst() } }
      items.append(GenItem(id: "\(name)/\(i)", context: trimTrailingSpaces(prompt), targets: targets, stop: stop))
    }
    return GenTask(name: name, items: items)
  }

  /// TruthfulQA multiple choice (BIG-bench `truthful_qa`). MC1 choices and the best answer come from
  /// `task_mc.json` (target_scores); MC2's true / false answer sets from `questions.json` ("True answers",
  /// "False answers"), matched by question text. Every item scores the union of both answer lists once.
  /// Without questions.json, MC2 falls back to the MC1 choices (one true answer).
  public static func truthfulQA(files: DataFiles = DataFiles()) throws -> MCTask {
    let mcPath = files.truthfulQAMC
    guard case .multipleChoice(let mc) = try parse(try DataFiles.readJSONObject(mcPath), name: "truthful_qa", path: mcPath) else {
      throw EvaluationError.corruptData(path: mcPath, detail: "examples have no 'target_scores'")
    }
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
