// Shared test helpers: repository paths, the default model (loaded once), fixtures.
import XCTest
@testable import LLM

enum TestPaths {
  static let repoRoot: String = {
    var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)  // Tests/LLMTests/TestSupport.swift
    return parts.joined(separator: "/")
  }()
  static let defaultModel = repoRoot + "/assets/models/SmolLM2-135M-Instruct.Q4_1.gguf"
  static let fixtures = repoRoot + "/Tests/LLMTests/Fixtures"

  static func requireModel() throws -> String {
    guard access(defaultModel, R_OK) == 0 else {
      throw XCTSkip("assets missing: \(defaultModel) (run `edgelab fetch` or see README to download SmolLM2)")
    }
    return defaultModel
  }

  static func readFixture(_ name: String) throws -> [UInt8] {
    let s = try ByteStorage(mapping: fixtures + "/" + name)
    return Array(s.buffer)
  }
}
