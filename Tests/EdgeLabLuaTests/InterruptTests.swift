import Foundation
import LLM
import XCTest

/// Ctrl-C inside each long Swift call: the script prints a marker right before the call, the test sends
/// SIGINT once the call is under way and asserts that the process ends within 1 s, exits as interrupted
/// (status 128 + signal, 130 for Ctrl-C, as shells report it; no signal death), records `interrupted` in the run manifest, and keeps the rows written
/// before the call (results.csv complete under its final name, no `.partial` left).
final class InterruptTests: XCTestCase {
  static var model: String?

  /// A random model big enough that the long calls run for minutes: context 65536, d = 128, 4 layers.
  static func longModel() throws -> String {
    if let m = model { return m }
    let dir = try Repo.tempDir("interrupt-model")
    let tok = try Tokenizer.byteLevel()
    let layers = 4
    let config = LlamaConfig(vocabSize: tok.vocabSize, dim: 128, layers: layers, heads: [Int](repeating: 4, count: layers),
                             kvHeads: [Int](repeating: 2, count: layers), ffn: [Int](repeating: 256, count: layers),
                             headDim: 32, ropeTheta: 10000, rmsEps: 1e-5, contextLength: 65536)
    let path = dir.appendingPathComponent("long.gguf").path
    try LlamaModel.random(config: config, tokenizer: tok, seed: 3).save(path)
    model = path
    return path
  }

  struct Stop { let signal: Int32; let status: Int32; let signaled: Bool; let stopSeconds: Double; let stderr: String; let outputs: URL }

  /// Runs `body` (Lua, after a prelude opening a run and writing one CSV row) and interrupts it.
  func interrupt(_ name: String, _ body: String, delay: Double = 0.4, signal: Int32 = SIGINT) throws -> Stop {
    guard let exe = Repo.binary else { throw XCTSkip("edgelab binary not built next to the tests") }
    let dir = try Repo.tempDir("interrupt-\(name)")
    let script = dir.appendingPathComponent("\(name).lua")
    let code = """
      local edgelab = require "edgelab"
      local run <close> = edgelab.lab.run {}
      local w = run:csv("results.csv", { "step", "value" })
      w:add { 1, 42 }
      local model = os.getenv("INTERRUPT_MODEL") and edgelab.llm.load(os.getenv("INTERRUPT_MODEL"))
      local env = edgelab.mec.env { users = 50, horizon = 10000000 }
      io.stderr:write("START\\n"); io.stderr:flush()
      \(body)
      error("the long call returned before the interrupt")
      """
    try code.write(to: script, atomically: true, encoding: .utf8)
    let p = Process()
    p.executableURL = exe
    p.arguments = ["run", script.path]
    p.currentDirectoryURL = dir
    let outputs = dir.appendingPathComponent("outputs")
    p.environment = ProcessInfo.processInfo.environment.merging(
      ["EDGELAB_LUA_PATH": Repo.lua, "EDGELAB_OUTPUTS": outputs.path, "INTERRUPT_MODEL": try Self.longModel()]) { $1 }
    let err = Pipe()
    p.standardError = err
    p.standardOutput = FileHandle.nullDevice
    final class Box: @unchecked Sendable { var text = ""; let lock = NSLock() }
    let box = Box()
    err.fileHandleForReading.readabilityHandler = { h in
      let d = h.availableData
      box.lock.lock(); box.text += String(decoding: d, as: UTF8.self); box.lock.unlock()
    }
    try p.run()
    func seen() -> Bool { box.lock.lock(); defer { box.lock.unlock() }; return box.text.contains("START") }
    let t0 = Date()
    while !seen() && p.isRunning && Date().timeIntervalSince(t0) < 60 { Thread.sleep(forTimeInterval: 0.01) }
    Thread.sleep(forTimeInterval: delay)
    XCTAssertTrue(p.isRunning, "\(name): the call ended before the interrupt")
    let sent = Date()
    kill(p.processIdentifier, signal)
    while p.isRunning && Date().timeIntervalSince(sent) < 20 { Thread.sleep(forTimeInterval: 0.002) }
    let stopped = Date().timeIntervalSince(sent)
    if p.isRunning { kill(p.processIdentifier, SIGKILL) }
    p.waitUntilExit()
    err.fileHandleForReading.readabilityHandler = nil
    box.lock.lock(); let text = box.text + String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self); box.lock.unlock()
    return Stop(signal: signal, status: p.terminationStatus, signaled: p.terminationReason == .uncaughtSignal, stopSeconds: stopped,
                stderr: text, outputs: outputs)
  }

  func check(_ s: Stop, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
    print("interrupt \(name): stopped \(String(format: "%.3f", s.stopSeconds)) s after SIGINT")
    XCTAssertFalse(s.signaled, "\(name): died by a signal", file: file, line: line)
    XCTAssertLessThan(s.stopSeconds, 1.0, "\(name): took \(s.stopSeconds) s to stop", file: file, line: line)
    XCTAssertEqual(s.status, 128 + s.signal, "\(name): exit status \(s.status): \(s.stderr.suffix(300))", file: file, line: line)
    let runs = try FileManager.default.contentsOfDirectory(at: s.outputs.appendingPathComponent(name), includingPropertiesForKeys: nil)
    XCTAssertEqual(runs.count, 1, file: file, line: line)
    guard let dir = runs.first else { return }
    let m = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("manifest.json"))) as? [String: Any]
    XCTAssertEqual(m?["status"] as? String, "interrupted", "\(name): \(m?["error"] ?? "")", file: file, line: line)
    let csv = try String(contentsOf: dir.appendingPathComponent("results.csv"), encoding: .utf8)
    XCTAssertEqual(csv, "step,value\n1,42\n", file: file, line: line)
    let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".partial") }
    XCTAssertEqual(left, [], file: file, line: line)
  }

  func testGenerate() throws {
    try check(try interrupt("generate", #"model:generate("The", { max_tokens = 60000 })"#), "generate")
  }

  func testPerplexity() throws {
    try check(try interrupt("perplexity", #"model:perplexity(string.rep("abcd efgh ", 200000), { ctx = 512 })"#), "perplexity")
  }

  func testGPTQ() throws {
    let body = #"edgelab.compress.quantize(model, { method = "gptq", type = "q8_0", calibration_windows = 4000, calibration_length = 128, texts = { string.rep("lorem ipsum dolor ", 40000) } })"#
    try check(try interrupt("gptq", body), "gptq")
  }

  func testDistill() throws {
    let body = #"edgelab.compress.distill(model, model, { steps = 1000000, windows = 8, length = 64, texts = { string.rep("lorem ipsum ", 2000) } })"#
    try check(try interrupt("distill", body, delay: 1.0), "distill")
  }

  func testMECEvaluate() throws {
    try check(try interrupt("mec_evaluate", #"edgelab.mec.evaluate(edgelab.mec.baseline("always-local", env), env, { episodes = 1 })"#), "mec_evaluate")
  }

  /// SIGTERM (a plain `kill`) is a stop request too: the run records `interrupted`, not `running`.
  func testTerminateSignal() throws {
    try check(try interrupt("sigterm", #"edgelab.mec.evaluate(edgelab.mec.baseline("always-local", env), env, { episodes = 1 })"#,
                            signal: SIGTERM), "sigterm")
  }

  func testAgentTrain() throws {
    let body = #"local agent = edgelab.rl.ppo { env = edgelab.mec.env { users = 10, horizon = 200 }, num_envs = 2, num_steps = 64, minibatches = 2 }; agent:train(100000000)"#
    try check(try interrupt("agent_train", body, delay: 0.8), "agent_train")
  }

  func testAgentEvaluate() throws {
    let body = #"local agent = edgelab.rl.ppo { env = env, num_envs = 1, num_steps = 8, minibatches = 1 }; agent:evaluate(env, { episodes = 1 })"#
    try check(try interrupt("agent_evaluate", body), "agent_evaluate")
  }
}
