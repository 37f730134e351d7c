// Data readers on tiny fixtures the tests write, the fetch hint for missing / corrupt files, seeded subsets,
// and the calibration / held-out split. Checks on the real files run when assets/data is present.
@testable import Evaluation
import Foundation
import XCTest

final class DataTests: XCTestCase {
  var dir: String = ""

  override func setUpWithError() throws {
    dir = NSTemporaryDirectory() + "edgelab-eval-\(UUID().uuidString)"
    for sub in ["halueval", "bigbench/general_knowledge", "bigbench/truthful_qa"] {
      try FileManager.default.createDirectory(atPath: "\(dir)/\(sub)", withIntermediateDirectories: true)
    }
  }
  override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

  func write(_ rel: String, _ text: String) throws {
    try text.write(toFile: "\(dir)/\(rel)", atomically: true, encoding: .utf8)
  }

  func testMissingAndCorruptDataTellUserToFetch() throws {
    let files = DataFiles(root: dir)
    XCTAssertThrowsError(try HaluEval.load(.qa, files: files)) { e in
      XCTAssertTrue("\(e)".contains("edgelab fetch"), "\(e)")
      XCTAssertTrue("\(e)".contains("missing"), "\(e)")
    }
    XCTAssertThrowsError(try BigBench.load(task: "misconceptions", files: files)) { e in
      XCTAssertTrue("\(e)".contains("edgelab fetch"))
    }
    try write("halueval/dataset_halueval_qa.jsonl", "{\"knowledge\": \"k\"}\nnot json\n")
    XCTAssertThrowsError(try HaluEval.load(.qa, files: files)) { e in
      let m = "\(e)"
      XCTAssertTrue(m.contains("corrupt") && m.contains("edgelab fetch"), m)
    }
    try write("bigbench/general_knowledge/task.json", "{\"examples\": [")
    XCTAssertThrowsError(try BigBench.load(task: "general_knowledge", files: files)) { e in
      XCTAssertTrue("\(e)".contains("invalid JSON") && "\(e)".contains("edgelab fetch"), "\(e)")
    }
  }

  func testReadersBuildLmEvalPrompts() throws {
    let files = DataFiles(root: dir)
    try write("halueval/dataset_halueval_qa.jsonl", """
      {"knowledge": "Paris is in France.", "question": "Where is Paris?", "right_answer": "France", "hallucinated_answer": "Paris is in Spain."}

      {"knowledge": "K", "question": "Q", "right_answer": "same", "hallucinated_answer": "same"}
      """)
    let qa = try HaluEval.load(.qa, files: files)
    XCTAssertEqual(qa.items.count, 1)  // identical pair dropped
    XCTAssertEqual(qa.items[0].context, "Knowledge: Paris is in France.\nQuestion: Where is Paris?\nAnswer:")
    XCTAssertEqual(qa.items[0].choices, ["France", "Paris is in Spain."])
    XCTAssertEqual(qa.items[0].gold, 0)
    try write("bigbench/general_knowledge/task.json", """
      {"name": "general_knowledge", "append_choices_to_input": true,
       "examples": [{"input": "How many legs do horses have?", "target_scores": {"two": 0, "four": 1}}]}
      """)
    let gk = try BigBench.load(task: "general_knowledge", files: files)
    XCTAssertEqual(gk.items[0].context, "Q: How many legs do horses have?\n  choice: four\n  choice: two\nA:")
    let bare = try BigBench.load(task: "general_knowledge", files: files, appendChoices: false)
    XCTAssertEqual(bare.items[0].context, "Q: How many legs do horses have?\nA:")
    XCTAssertEqual(gk.items[0].choices, ["four", "two"])
    XCTAssertEqual(gk.items[0].labels, [true, false])
    XCTAssertEqual(gk.chance, 0.5)
    try write("bigbench/truthful_qa/task_mc.json", """
      {"task_prefix": "Q: x?\\nA: y.\\n", "example_input_prefix": "\\nQ: ", "example_output_prefix": "\\nA: ",
       "append_choices_to_input": false,
       "examples": [{"input": "Seeds?", "target_scores": {"Pass.": 1, "Grow.": 0, "Die.": 0}}]}
      """)
    let mc1Only = try BigBench.truthfulQA(files: files)
    XCTAssertEqual(mc1Only.items[0].context, "Q: x?\nA: y.\n\nQ: Seeds?\nA:")
    XCTAssertNil(mc1Only.items[0].accChoices)
    try write("bigbench/truthful_qa/questions.json", """
      {"examples": [{"Question": "Seeds?", "True answers": ["Nothing.", "Pass."], "False answers": ["Grow.", "Sick."],
                     "Best answer": "Pass."}]}
      """)
    let t = try BigBench.truthfulQA(files: files).items[0]
    XCTAssertEqual(t.choices, ["Die.", "Grow.", "Pass.", "Nothing.", "Sick."])
    XCTAssertEqual(t.labels, [false, false, true, true, false])
    XCTAssertEqual(t.accChoices, [0, 1, 2])
    XCTAssertEqual(t.gold, 2)
  }

  func testSeededSubsetsAreFixedAndNested() {
    let items = Array(0..<100)
    let a = seededSubset(items, n: 10, seed: 7, stream: "t")
    XCTAssertEqual(a, seededSubset(items, n: 10, seed: 7, stream: "t"))
    XCTAssertNotEqual(a, seededSubset(items, n: 10, seed: 8, stream: "t"))
    XCTAssertEqual(a, a.sorted())
    XCTAssertTrue(Set(a).isSubset(of: Set(seededSubset(items, n: 20, seed: 7, stream: "t"))))
    XCTAssertEqual(seededSubset(items, n: nil, seed: 7, stream: "t"), items)
  }

  func testSplitsNeverOverlap() throws {
    var docs = (0..<500).map { "document number \($0) about topic \($0 % 7)" }
    docs += docs.prefix(50)  // exact duplicates must not straddle the splits
    let s = try TextSplits(documents: docs, calibrationFraction: 0.5)
    XCTAssertTrue(Set(s.calibration).isDisjoint(with: Set(s.heldOut)))
    XCTAssertEqual(s.calibration.count + s.heldOut.count, 500)
    XCTAssertEqual(Double(s.calibration.count) / 500, 0.5, accuracy: 0.08)
    // stable when documents are added: an existing document keeps its split
    let s2 = try TextSplits(documents: docs + ["a brand new document"], calibrationFraction: 0.5)
    XCTAssertTrue(Set(s.calibration).isSubset(of: Set(s2.calibration)))
    XCTAssertThrowsError(try TextSplits(documents: docs, calibrationFraction: 1))
  }

  /// Near-duplicates (a shared run of 12 words) go to the same split; an 11-word run does not join documents.
  func testNearDuplicatesShareASplit() throws {
    // 200 pairs of documents; the two of a pair share a run of `n` words unique to the pair.
    func pairs(_ n: Int) -> [(String, String)] {
      (0..<200).map { i in
        let run = (0..<n).map { "p\(i)w\($0)" }.joined(separator: " ")
        return ("story \(i) begins here. \(run) and ends one way \(i)", "follow-up \(i) says: \(run)\nthen another \(i)")
      }
    }
    let p12 = pairs(12), docs = p12.flatMap { [$0.0, $0.1] }
    let s = try TextSplits(documents: docs, calibrationFraction: 0.5)
    let cal = Set(s.calibration)
    for (a, b) in p12 { XCTAssertEqual(cal.contains(a), cal.contains(b), a) }
    XCTAssertEqual(s.calibration.count + s.heldOut.count, 400)
    XCTAssertEqual(Double(cal.count) / 400, 0.5, accuracy: 0.1)
    let byDocument = Set(try TextSplits(documents: docs, calibrationFraction: 0.5, sharedWords: 0).calibration)
    XCTAssertGreaterThan(p12.filter { byDocument.contains($0.0) != byDocument.contains($0.1) }.count, 50,
                         "without grouping about half the pairs straddle the splits")
    // 11 shared words: no grouping, so the splits equal the by-document ones.
    let d11 = pairs(11).flatMap { [$0.0, $0.1] }
    XCTAssertEqual(try TextSplits(documents: d11, calibrationFraction: 0.5),
                   try TextSplits(documents: d11, calibrationFraction: 0.5, sharedWords: 0))
  }

  /// The real data sets (skipped when `edgelab fetch` has not run).
  func testRealDataWhenPresent() throws {
    let files = DataFiles()
    guard FileManager.default.fileExists(atPath: files.bigBench("general_knowledge")) else {
      throw XCTSkip("assets/data not fetched")
    }
    let gk = try BigBench.load(task: "general_knowledge", files: files)
    XCTAssertEqual(gk.items.count, 70)
    XCTAssertEqual(gk.chance, 0.144, accuracy: 0.005)
    for t in BigBench.generalizationTasks { XCTAssertFalse(try BigBench.load(task: t, files: files).items.isEmpty) }
    let tqa = try BigBench.truthfulQA(files: files)
    XCTAssertEqual(tqa.items.count, 299)
    let qa = try HaluEval.load(.qa, files: files)
    XCTAssertGreaterThan(qa.items.count, 9000)
    let s = try TextSplits.haluEval(files: files)
    XCTAssertTrue(Set(s.calibration).isDisjoint(with: Set(s.heldOut)))
    XCTAssertGreaterThan(s.heldOut.count, 1000)
    XCTAssertGreaterThan(s.calibration.count, 1000)
  }
}
