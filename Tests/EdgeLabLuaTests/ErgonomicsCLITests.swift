import XCTest
@testable import EdgeLabLua
import LuaBridge

/// The REPL on a pseudo-terminal (tools/tests/repl_pty.py) and through a pipe.
final class REPLTests: XCTestCase {
  func testTerminalSession() throws {
    guard let exe = Repo.binary else { throw XCTSkip("edgelab binary not built next to the tests") }
    let home = try Repo.tempDir("repl-home")
    defer { try? FileManager.default.removeItem(at: home) }
    let script = Repo.root.appendingPathComponent("tools/tests/repl_pty.py").path
    let r = try CLIRunner.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", script, exe.path, home.path], timeout: 120)
    XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
    for check in ["local persists", "tab completion", "table error", "continues", "exit 0"] {
      XCTAssertTrue(r.stdout.contains("ok " + check), r.stdout)
    }
  }

  func testPipedInput() throws {
    guard let exe = Repo.binary else { throw XCTSkip("edgelab binary not built next to the tests") }
    func repl(_ input: String) throws -> CLIRunner.Result { try CLIRunner.run(exe, ["repl"], stdin: input) }
    let ok = try repl("local y = 3\nprint(y + 1)\nlocal a, b = 'x', 'y'\na .. b\ny = y * 10\nprint(y, rawget(_G, 'y'))\n")
    XCTAssertEqual(ok.status, 0, ok.stderr)
    XCTAssertEqual(ok.stdout, "4\nxy\n30\tnil\n")
    let failed = try repl("error({code = 42})\nprint('after')\n")
    XCTAssertEqual(failed.status, 1, "piped mode exits 1 after an error")
    XCTAssertTrue(failed.stderr.contains("error object: {code = 42}"), failed.stderr)
    XCTAssertEqual(failed.stdout, "after\n")
    // An unterminated string is an error at once: the next line runs on its own.
    let unterminated = try repl("print(\"abc\nprint('next')\n")
    XCTAssertEqual(unterminated.status, 1)
    XCTAssertTrue(unterminated.stderr.contains("unfinished string"), unterminated.stderr)
    XCTAssertEqual(unterminated.stdout, "next\n")
    // A long string still continues over lines.
    let long = try repl("s = [[a\nb]]\nprint(#s)\nfor i = 1, 2 do\nprint(i)\nend\n")
    XCTAssertEqual(long.stdout, "3\n1\n2\n", long.stderr)
    XCTAssertEqual(long.status, 0)
  }
}

/// The evaluation from a script outside the repository: assets resolve from EDGELAB_ASSETS (a fixture
/// root holding the default model and small BIG-bench fixtures), not from the working directory.
final class EvalOutsideRepoTests: XCTestCase {
  func testCompositeSubtaskAndGenerativeTasksFromAnyDirectory() throws {
    guard let exe = Repo.binary else { throw XCTSkip("edgelab binary not built next to the tests") }
    let model = Repo.root.appendingPathComponent("assets/models/SmolLM2-135M-Instruct.Q4_1.gguf")
    guard FileManager.default.fileExists(atPath: model.path) else { throw XCTSkip("assets missing: \(model.path)") }
    let tmp = try Repo.tempDir("eval-outside")
    defer { try? FileManager.default.removeItem(at: tmp) }
    let assets = tmp.appendingPathComponent("assets")
    try EvalFixtures.write(root: assets.appendingPathComponent("data").path)
    try FileManager.default.createDirectory(at: assets.appendingPathComponent("models"), withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(at: assets.appendingPathComponent("models/SmolLM2-135M-Instruct.Q4_1.gguf"),
                                               withDestinationURL: model)
    let scripts = tmp.appendingPathComponent("my-experiments"), cwd = tmp.appendingPathComponent("somewhere-else")
    for d in [scripts, cwd] { try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true) }
    try """
      local e = require "edgelab"
      local m = e.llm.load()
      local suite = e.eval.suite { metrics = { "generalization" },
        tasks = { "logical_deduction", "logical_deduction/three_objects", "word_unscrambling" },
        items_per_task = 2, generation_tokens = 6, perplexity_context = 32, perplexity_tokens = 64, bootstrap_resamples = 20 }
      local r = e.eval.run(m, suite)
      local t = r.generalization.tasks
      print(t.logical_deduction.kind, t.logical_deduction.acc.n, t["logical_deduction/three_objects"].acc.n,
            t.word_unscrambling.kind, #t.word_unscrambling.answers, r.hallucination == nil, r.energy == nil)
      print(e.session.data_dir == os.getenv("EDGELAB_ASSETS") .. "/data")
      local ok, err = pcall(e.eval.run, m, e.eval.suite { metrics = { "generalization" }, tasks = { "word_sorting" } })
      print(err)
      """.write(to: scripts.appendingPathComponent("eval_tasks.lua"), atomically: true, encoding: .utf8)
    let r = try CLIRunner.run(exe, ["run", scripts.appendingPathComponent("eval_tasks.lua").path], cwd: cwd,
                              env: ["EDGELAB_ASSETS": assets.path, "EDGELAB_DATA": ""], timeout: 300)
    XCTAssertEqual(r.status, 0, r.stderr)
    let lines = r.stdout.split(separator: "\n").map(String.init)
    XCTAssertEqual(lines.first, "multiple_choice\t2\t2\tgenerative\t2\ttrue\ttrue", r.stdout)
    XCTAssertEqual(lines.dropFirst().first, "true")
    XCTAssertTrue(r.stdout.contains("run `edgelab fetch bigbench --tasks word_sorting`"), r.stdout)
  }
}

/// BIG-bench fixtures shaped like bigbench==1.0.0's files (composite with subtask folders, a generative task)
/// and HaluEval summarization documents for held-out perplexity.
enum EvalFixtures {
  static func write(root dir: String) throws {
    func put(_ rel: String, _ text: String) throws {
      let path = "\(dir)/\(rel)"
      try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
    try put("bigbench/logical_deduction/task.json", #"{"name": "logical_deduction", "description": "composite"}"#)
    try put("bigbench/logical_deduction/three_objects/task.json", """
      {"name": "logical_deduction:three_objects", "examples": [
        {"input": "A robin is left of a crow; the crow is left of a wren. Which is leftmost?", "target_scores": {"The robin": 1, "The crow": 0, "The wren": 0}},
        {"input": "A red book is right of a blue book. Which is rightmost?", "target_scores": {"The red book": 1, "The blue book": 0}},
        {"input": "Ann finished before Bob. Who finished first?", "target_scores": {"Ann": 1, "Bob": 0}}]}
      """)
    try put("bigbench/logical_deduction/five_objects/task.json", """
      {"name": "logical_deduction:five_objects", "examples": [
        {"input": "Five cars: the bus is oldest. Which is oldest?", "target_scores": {"The bus": 1, "The van": 0}}]}
      """)
    try put("bigbench/word_unscrambling/task.json", """
      {"name": "word_unscrambling", "task_prefix": "Unscramble the given letters to form an English word.",
       "examples": [{"input": "The word is ogd", "target": "dog"}, {"input": "The word is tac", "target": "cat"},
                    {"input": "The word is eert", "target": "tree"}]}
      """)
    let docs = (0..<30).map { i in
      #"{"document": "The Moon is Earth's only natural satellite. Document \#(i) describes its orbit and tides.", "right_summary": "a", "hallucinated_summary": "b"}"#
    }
    try put("halueval/dataset_halueval_summarization.jsonl", docs.joined(separator: "\n"))
  }
}
