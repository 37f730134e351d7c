import Foundation
import LLM
import XCTest

/// The bad-input corpus (lua/tests/bad/NNN-*.lua): every script feeds EdgeLab something a researcher could
/// type or a file could contain — a huge size, a NaN, an integer that does not fit, a corrupt model file, an
/// object used after close, a misspelt option. Each must end the process normally (no signal: no trap, no
/// abort, no segfault), within 30 s (no hang), with exit code 1, a message naming the script's file:line and
/// the option (the `-- expect:` fragment; `a|b` accepts either), and a run manifest that ends `failed` or
/// `interrupted` (never `running`). Scripts marked `-- needs: model` get a tiny random Llama GGUF
/// (2 layers, d = 64, context 256) in EDGELAB_BAD_MODEL. EDGELAB_MEMORY_BUDGET is pinned (4 GiB) so the
/// memory checks do not depend on the machine.
final class BadInputCorpusTests: XCTestCase {
  struct Case {
    let file: URL
    let expect: [String]
    let needsModel: Bool
  }

  struct Outcome {
    let status: Int32
    let signaled: Bool
    let seconds: Double
    let stderr: String
  }

  static func cases() throws -> [Case] {
    let dir = Repo.root.appendingPathComponent("lua/tests/bad")
    let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
      .filter { $0.hasSuffix(".lua") && !$0.hasPrefix("_") }.sorted()
    return try files.map { name in
      let url = dir.appendingPathComponent(name)
      let text = try String(contentsOf: url, encoding: .utf8)
      var expect: [String] = [], model = false
      for line in text.split(separator: "\n").prefix(4) {
        if line.hasPrefix("-- expect: ") {
          expect = line.dropFirst("-- expect: ".count).split(separator: "|").map { String($0) }
        }
        if line.hasPrefix("-- needs: model") { model = true }
      }
      return Case(file: url, expect: expect, needsModel: model)
    }
  }

  /// Writes the tiny model the `needs: model` scripts load.
  static func writeTinyModel(to path: String) throws {
    let tok = try Tokenizer.byteLevel()
    let layers = 2
    let config = LlamaConfig(vocabSize: tok.vocabSize, dim: 64, layers: layers, heads: [Int](repeating: 4, count: layers),
                             kvHeads: [Int](repeating: 2, count: layers), ffn: [Int](repeating: 96, count: layers),
                             headDim: 16, ropeTheta: 10000, rmsEps: 1e-5, contextLength: 256)
    try LlamaModel.random(config: config, tokenizer: tok, seed: 7).save(path)
  }

  static func run(_ exe: URL, script: URL, env: [String: String], timeout: Double) throws -> Outcome {
    let p = Process()
    p.executableURL = exe
    p.arguments = ["run", script.path.replacingOccurrences(of: Repo.root.path + "/", with: "")]
    p.currentDirectoryURL = Repo.root
    p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
    let err = Pipe()
    p.standardError = err
    p.standardOutput = FileHandle.nullDevice
    p.standardInput = FileHandle.nullDevice
    final class Box: @unchecked Sendable { var data = Data() }
    let box = Box()
    let done = DispatchSemaphore(value: 0)
    DispatchQueue.global().async { box.data = err.fileHandleForReading.readDataToEndOfFile(); done.signal() }
    let t0 = Date()
    try p.run()
    let deadline = t0.addingTimeInterval(timeout)
    while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
    if p.isRunning { kill(p.processIdentifier, SIGKILL) }
    p.waitUntilExit()
    done.wait()
    return Outcome(status: p.terminationStatus, signaled: p.terminationReason == .uncaughtSignal,
                   seconds: Date().timeIntervalSince(t0), stderr: String(decoding: box.data, as: UTF8.self))
  }

  /// Statuses of every manifest.json below `outputs`.
  static func manifestStatuses(_ outputs: URL) -> [String] {
    guard let e = FileManager.default.enumerator(at: outputs, includingPropertiesForKeys: nil) else { return [] }
    var out: [String] = []
    for case let u as URL in e where u.lastPathComponent == "manifest.json" {
      if let d = try? Data(contentsOf: u), let o = (try? JSONSerialization.jsonObject(with: d)) as? [String: Any] {
        out.append(o["status"] as? String ?? "?")
      }
    }
    return out
  }

  func testEveryBadScriptFailsCleanly() throws {
    guard let exe = Repo.binary else { throw XCTSkip("edgelab binary not built next to the tests") }
    let cases = try Self.cases()
    XCTAssertGreaterThanOrEqual(cases.count, 150, "the corpus must hold at least 150 scripts")
    let tmp = try Repo.tempDir("bad")
    defer { try? FileManager.default.removeItem(at: tmp) }
    let model = tmp.appendingPathComponent("tiny.gguf").path
    try Self.writeTinyModel(to: model)
    let t0 = Date()
    // Two scripts at a time (each is one short process); results are checked on this thread afterwards.
    var outcomes = [Outcome?](repeating: nil, count: cases.count)
    var outputsDirs = [URL](repeating: tmp, count: cases.count)
    let lock = NSLock()
    DispatchQueue.concurrentPerform(iterations: 2) { worker in
      for i in stride(from: worker, to: cases.count, by: 2) {
        let c = cases[i]
        let scratch = tmp.appendingPathComponent("case\(i)")
        try? FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let outputs = scratch.appendingPathComponent("outputs")
        var env = ["EDGELAB_BAD_TMP": scratch.path, "EDGELAB_OUTPUTS": outputs.path, "EDGELAB_LUA_PATH": Repo.lua,
                   "EDGELAB_MEMORY_BUDGET": "4G"]
        if c.needsModel { env["EDGELAB_BAD_MODEL"] = model }
        let r = try? Self.run(exe, script: c.file, env: env, timeout: 30)
        lock.lock(); outcomes[i] = r; outputsDirs[i] = outputs; lock.unlock()
      }
    }
    var slowest = (0.0, "")
    for (i, c) in cases.enumerated() {
      let name = c.file.lastPathComponent
      guard let r = outcomes[i] else { XCTFail("\(name): could not start edgelab"); continue }
      let outputs = outputsDirs[i]
      if r.seconds > slowest.0 { slowest = (r.seconds, name) }
      let msg = r.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
      XCTAssertFalse(r.signaled, "\(name): killed by a signal (status \(r.status)): \(msg.suffix(400))")
      XCTAssertLessThan(r.seconds, 30, "\(name): still running after 30 s")
      XCTAssertEqual(r.status, 1, "\(name): exit status \(r.status): \(msg.suffix(400))")
      XCTAssertNotNil(msg.range(of: "bad/\(name):[0-9]+:", options: .regularExpression),
                      "\(name): the message does not name the script's file:line: \(msg.prefix(400))")
      let text = msg.replacingOccurrences(of: name, with: "")   // the fragment must come from the message
      XCTAssertTrue(c.expect.contains { text.localizedCaseInsensitiveContains($0) },
                    "\(name): the message does not mention \(c.expect.joined(separator: " or ")): \(msg.prefix(400))")
      // The run open when the error struck ends failed/interrupted; a run the script had already finished
      // keeps its status; none stays `running`.
      let statuses = Self.manifestStatuses(outputs)
      XCTAssertTrue(statuses.contains { $0 == "failed" || $0 == "interrupted" }, "\(name): manifests \(statuses)")
      XCTAssertFalse(statuses.contains("running"), "\(name): a manifest was left running")
    }
    print("bad-input corpus: \(cases.count) scripts in \(String(format: "%.1f", Date().timeIntervalSince(t0))) s; "
          + "slowest \(slowest.1) \(String(format: "%.2f", slowest.0)) s")
  }
}
