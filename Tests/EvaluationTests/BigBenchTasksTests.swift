// Any BIG-bench JSON task: composite tasks (subtask folders or inline "subtasks"), one subtask, generative
// tasks scored by greedy answers (exact and normalized match), the exact fetch command for a missing task,
// and the suite running one metric alone. Small fixtures written by the tests.
@testable import Evaluation
import EdgeProfiles
import Foundation
import XCTest

/// A character-level model that answers scripted questions: after "Q: <word>" … "A:" it puts all mass on the
/// next character of answers[word] (then a newline, then end-of-text). Vocabulary: 0 = <eos>, 1…95 = ASCII
/// 32…126, 96 = "\n".
final class ScriptedModel: GeneratingModel {
  let name = "scripted"
  let vocabSize = 97
  let prefixTokens: [Int32] = []
  let maxSequence = 4096
  var answers: [String: String]
  init(answers: [String: String]) { self.answers = answers }

  func tokenize(_ text: String) -> [Int32] {
    text.unicodeScalars.map { u in u == "\n" ? 96 : (u.value >= 32 && u.value <= 126 ? Int32(u.value - 31) : 1) }
  }
  func detokenize(_ ids: [Int32]) -> String {
    String(ids.compactMap { id -> Character? in
      id == 96 ? "\n" : (id >= 1 && id <= 95 ? Character(UnicodeScalar(UInt8(id + 31))) : nil)
    })
  }
  var stopTokens: Set<Int32> { [0] }
  func makeSession() throws -> ScoringSession { Session(self) }

  /// The scripted next token after `tokens`.
  func next(_ tokens: [Int32]) -> Int32 {
    let text = detokenize(tokens)
    guard let q = text.range(of: "Q: ", options: .backwards), let a = text.range(of: "A:", options: .backwards),
          q.upperBound <= a.lowerBound else { return 1 }
    let word = text[q.upperBound..<a.lowerBound].split(separator: "\n").first.map(String.init) ?? ""
    let said = Array(text[a.upperBound...])
    let target = Array(" " + (answers[word] ?? "?") + "\n")
    if said.count < target.count { return tokenize(String(target[said.count]))[0] }
    return 0
  }

  final class Session: ScoringSession {
    let model: ScriptedModel
    var tokens: [Int32] = []
    init(_ m: ScriptedModel) { model = m }
    var count: Int { tokens.count }
    func append(_ new: [Int32], lastOnly: Bool) throws -> [Float] {
      var rows: [Float] = []
      for t in new {
        tokens.append(t)
        var row = [Float](repeating: -10, count: model.vocabSize)
        row[Int(model.next(tokens))] = 0
        rows += row
      }
      return lastOnly ? Array(rows.suffix(model.vocabSize)) : rows
    }
    func truncate(to n: Int) throws { tokens.removeLast(tokens.count - n) }
  }
}

final class BigBenchTasksTests: XCTestCase {
  var dir = ""

  override func setUpWithError() throws {
    dir = NSTemporaryDirectory() + "edgelab-bb-\(UUID().uuidString)"
    try BigBenchFixtures.write(root: dir)
  }
  override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

  func testCompositeTaskPoolsItsSubtasksAndOneSubtaskLoadsAlone() throws {
    let files = DataFiles(root: dir)
    let all = try BigBench.load(task: "logical_deduction", files: files)
    XCTAssertEqual(all.items.count, 5)
    XCTAssertEqual(all.items.map(\.id).first, "logical_deduction/five_objects/0")   // subtasks in name order
    XCTAssertEqual(all.items.map(\.id).last, "logical_deduction/three_objects/2")
    let sub = try BigBench.load(task: "logical_deduction/three_objects", files: files)
    XCTAssertEqual(sub.items.count, 3)
    XCTAssertEqual(sub.items[0].context, "Q: Three birds: which is left?\nA:")
    XCTAssertEqual(try BigBench.subtaskNames("logical_deduction", files: files), ["five_objects", "three_objects"])
    XCTAssertThrowsError(try BigBench.load(task: "logical_deduction/seven_objects", files: files)) { e in
      XCTAssertTrue("\(e)".contains("no subtask 'seven_objects'") && "\(e)".contains("five_objects, three_objects"), "\(e)")
    }
    let inline = try BigBench.load(task: "inline_composite", files: files)
    XCTAssertEqual(inline.items.map(\.id), ["inline_composite/first/0", "inline_composite/second/0"])
  }

  func testMissingTaskNamesTheExactFetchCommand() throws {
    let files = DataFiles(root: dir)
    for name in ["word_sorting", "word_sorting/sub"] {
      XCTAssertThrowsError(try BigBench.loadAny(task: name, files: files)) { e in
        XCTAssertTrue("\(e)".contains("run `edgelab fetch bigbench --tasks word_sorting`"), "\(e)")
      }
    }
    XCTAssertThrowsError(try BigBench.loadAny(task: "../etc", files: files))
  }

  func testGenerativeTaskPromptsAndTargets() throws {
    guard case .generative(let t) = try BigBench.loadAny(task: "word_unscrambling", files: DataFiles(root: dir)) else {
      return XCTFail("word_unscrambling is generative")
    }
    XCTAssertEqual(t.items.map(\.targets), [["dog"], ["cat", "act"], ["tree"]])
    XCTAssertEqual(t.items[0].context, "Unscramble the letters.\nQ: ogd\nA:")
    XCTAssertThrowsError(try BigBench.load(task: "word_unscrambling", files: DataFiles(root: dir))) { e in
      XCTAssertTrue("\(e)".contains("generative"), "\(e)")
    }
  }

  func testStringMatchByHand() {
    XCTAssertEqual(Generative.normalize("  Hello,  World! "), "hello world")
    XCTAssertEqual(Generative.normalize("it's-a \t test."), "itsa test")
    XCTAssertTrue(Generative.match("dog", targets: ["dog"]) == (1, 1))
    XCTAssertTrue(Generative.match(" Dog.", targets: ["dog"]) == (0, 1))
    XCTAssertTrue(Generative.match("act", targets: ["cat", "act"]) == (1, 1))
    XCTAssertTrue(Generative.match("dogs", targets: ["dog"]) == (0, 0))
    XCTAssertEqual(Generative.answer(from: "\n  tree\nQ: next", stop: nil), "tree")
    XCTAssertEqual(Generative.answer(from: " tree. Done", stop: "."), "tree")
  }

  func testGreedyAnswersScoredByExactAndNormalizedMatch() throws {
    guard case .generative(let t) = try BigBench.loadAny(task: "word_unscrambling", files: DataFiles(root: dir)) else {
      return XCTFail("generative expected")
    }
    let model = ScriptedModel(answers: ["ogd": "dog", "tac": "Act", "eert": "three"])
    let r = try Generative.evaluate(model: model, task: t, maxTokens: 16)
    XCTAssertEqual(r.map(\.answer), ["dog", "Act", "three"])
    XCTAssertEqual(r.map(\.exactMatch), [1, 0, 0])
    XCTAssertEqual(r.map(\.normalizedMatch), [1, 1, 0])
    XCTAssertEqual(r[0].generatedTokens, 5)   // " dog\n": the newline ends the answer
    let capped = try Generative.evaluate(model: model, task: t, maxTokens: 2)
    XCTAssertEqual(capped[0].answer, "d")
    XCTAssertThrowsError(try Generative.evaluate(model: BigramModel(), task: t, maxTokens: 4))   // cannot decode text
  }

  func testSuiteRunsCompositeSubtaskAndGenerativeWithOneMetric() throws {
    var c = SuiteConfig.smoke
    c.dataDir = dir
    c.metrics = ["generalization"]
    c.tasks = ["logical_deduction", "logical_deduction/three_objects", "word_unscrambling"]
    c.generationTokens = 8
    let model = ScriptedModel(answers: ["ogd": "dog", "tac": "act", "eert": "tree"])
    let fp = ModelFootprint(params: 1e6, storageBytes: 4e6, flopsPerToken: 2e6, bytesPerToken: 4e6, kvBytesPerToken: 64)
    let r = try Suite.run(model: model, footprint: fp, config: c)
    XCTAssertNil(r.hallucination); XCTAssertNil(r.energy); XCTAssertNil(r.accessibility)
    let g = try XCTUnwrap(r.generalization)
    XCTAssertEqual(g.tasks.map(\.name), c.tasks)
    XCTAssertEqual(g.tasks.map(\.kind), [.multipleChoice, .multipleChoice, .generative])
    XCTAssertEqual(g.tasks[2].acc.mean, 1)           // every scripted answer is right
    XCTAssertEqual(g.acc.n, 5 + 3 + 3)              // pooled over every item
    let report = r.report()
    XCTAssertTrue(report.contains("| word_unscrambling | generative | 3 |"), report)
    XCTAssertFalse(report.contains("## 2. Hallucination rate"))
    XCTAssertThrowsError(try r.card())              // a card needs hallucination too
    var bad = c; bad.metrics = ["speed"]
    XCTAssertThrowsError(try bad.validate())
    var energyOnly = c; energyOnly.metrics = ["energy", "accessibility"]; energyOnly.measureHost = false
    let e = try Suite.run(model: model, footprint: fp, config: energyOnly)
    XCTAssertNil(e.generalization); XCTAssertNotNil(e.energy); XCTAssertNotNil(e.accessibility)
  }
}

/// Fixture files shaped like bigbench==1.0.0's: a composite task with subtask folders, one with inline
/// subtasks, a generative task, plus held-out text for perplexity.
enum BigBenchFixtures {
  static func write(root dir: String) throws {
    let fm = FileManager.default
    func put(_ rel: String, _ text: String) throws {
      let path = "\(dir)/\(rel)"
      try fm.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
    try put("bigbench/logical_deduction/task.json", #"{"name": "logical_deduction", "description": "composite", "keywords": ["logic"]}"#)
    func mc(_ n: Int, _ what: String) -> String {
      let ex = (0..<n).map { i in #"{"input": "\#(what) birds: which is left?", "target_scores": {"a": \#(i % 2), "b": \#(1 - i % 2)}}"# }
      return #"{"name": "logical_deduction:\#(what)", "append_choices_to_input": false, "examples": [\#(ex.joined(separator: ","))]}"#
    }
    try put("bigbench/logical_deduction/three_objects/task.json", mc(3, "Three"))
    try put("bigbench/logical_deduction/five_objects/task.json", mc(2, "Five"))
    try put("bigbench/inline_composite/task.json", """
      {"name": "inline_composite", "subtasks": [
        {"name": "inline_composite:first", "examples": [{"input": "x", "target_scores": {"a": 1, "b": 0}}]},
        {"name": "inline_composite:second", "examples": [{"input": "y", "target_scores": {"a": 0, "b": 1}}]}]}
      """)
    try put("bigbench/word_unscrambling/task.json", """
      {"name": "word_unscrambling", "task_prefix": "Unscramble the letters.", "examples": [
        {"input": "ogd", "target": "dog"}, {"input": "tac", "target": ["cat", "act"]}, {"input": "eert", "target": "tree"}]}
      """)
    let docs = (0..<40).map { i in
      #"{"document": "doc \#(i) the quick brown fox jumps over the lazy dog \#(i)", "right_summary": "a", "hallucinated_summary": "b"}"#
    }
    try put("halueval/dataset_halueval_summarization.jsonl", docs.joined(separator: "\n"))
  }
}
