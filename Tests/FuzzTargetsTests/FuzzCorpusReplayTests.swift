import Foundation
import XCTest
@testable import FuzzTargets

/// Replays the committed fuzz corpus (fuzz/corpus/<target>/: seeds from real files and every input a fuzz
/// run ever found crashing, kept as regression tests) through each target in the ordinary test build. A
/// trap or crash here fails the whole test process, which is the point: these inputs once took the host down.
final class FuzzCorpusReplayTests: XCTestCase {
  static let root: URL = {
    var u = URL(fileURLWithPath: #filePath)
    while u.path != "/" {
      u.deleteLastPathComponent()
      if FileManager.default.fileExists(atPath: u.appendingPathComponent("Package.swift").path) { return u }
    }
    fatalError("Package.swift not found above \(#filePath)")
  }()

  func replay(_ target: String, minimum: Int) throws {
    let dir = Self.root.appendingPathComponent("fuzz/corpus/\(target)")
    let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    XCTAssertGreaterThanOrEqual(names.count, minimum, "fuzz/corpus/\(target) lost its seeds")
    for n in names {
      let data = try Data(contentsOf: dir.appendingPathComponent(n))
      XCTAssertTrue(FuzzTargets.run(target, [UInt8](data)))
    }
  }

  func testGGUFCorpus() throws { try replay("gguf", minimum: 3) }
  func testSafetensorsCorpus() throws { try replay("safetensors", minimum: 3) }
  func testTokenizerCorpus() throws { try replay("tokenizer", minimum: 5) }
  func testLuaOptionsCorpus() throws { try replay("lua-options", minimum: 5) }

  /// The seeds are real, loadable inputs (so the fuzzer starts from deep coverage, not from a magic check).
  func testSeedsAreValid() throws {
    for name in ["seed-tiny-q8_0.gguf", "seed-mini-f32-q8_0.gguf", "seed-mini-f16-q4_0.gguf"] {
      let gguf = Self.root.appendingPathComponent("fuzz/corpus/gguf/\(name)")
      XCTAssertNoThrow(try LLMSeedCheck.load(gguf.path), name)
    }
    // The small tokenizer.json seed (mode byte 2) is a tokenizer that loads and round-trips its own bytes.
    let json = try Data(contentsOf: Self.root.appendingPathComponent("fuzz/corpus/tokenizer/seed-6"))
    XCTAssertEqual(json.first, 2)
    let tok = try Tokenizer(huggingFaceJSON: Data(json.dropFirst()))
    XCTAssertEqual(tok.decode(tok.encode("hello world 0123", parseSpecial: false)), "hello world 0123")
  }
}

import LLM
enum LLMSeedCheck {
  static func load(_ path: String) throws {
    let m = try LlamaModel.load(path: path)
    var c = m.makeCache(reserve: 4)
    let logits = try m.forward(tokens: m.tokenizer.encode("the"), cache: &c, lastOnly: true)
    guard logits.count == m.config.vocabSize, logits.allSatisfy({ $0.isFinite }) else {
      throw LlamaError.nonFiniteLogits(position: 0)
    }
  }
}
