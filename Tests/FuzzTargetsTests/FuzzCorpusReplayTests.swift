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
    let gguf = Self.root.appendingPathComponent("fuzz/corpus/gguf/seed-tiny-q8_0.gguf")
    XCTAssertNoThrow(try LLMSeedCheck.load(gguf.path))
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
