import Foundation
import XCTest
@testable import EdgeLabLua
import LuaBridge

/// Paths and helpers shared by the EdgeLabLua tests.
enum Repo {
  /// The repository root (the folder holding Package.swift), from this file's location.
  static let root: URL = {
    var u = URL(fileURLWithPath: #filePath)
    while u.path != "/" {
      u.deleteLastPathComponent()
      if FileManager.default.fileExists(atPath: u.appendingPathComponent("Package.swift").path) { return u }
    }
    fatalError("Package.swift not found above \(#filePath)")
  }()
  static var lua: String { root.appendingPathComponent("lua").path }

  /// A state with every EdgeLab binding and the repo's lua/ on package.path.
  static func state(seed: UInt64 = 0, smoke: Bool = false, overrides: [(key: String, value: LuaValue)] = []) throws -> LuaState {
    try EdgeLab.makeState(session: EdgeLabSession(seed: seed, smoke: smoke, overrides: overrides, luaDir: lua))
  }

  /// The built `edgelab` executable next to the test bundle (swift test builds it), if present.
  static var binary: URL? {
    for b in Bundle.allBundles where b.bundleURL.pathExtension == "xctest" {
      let exe = b.bundleURL.deletingLastPathComponent().appendingPathComponent("edgelab")
      if FileManager.default.isExecutableFile(atPath: exe.path) { return exe }
    }
    let fallback = root.appendingPathComponent(".build/debug/edgelab")
    return FileManager.default.isExecutableFile(atPath: fallback.path) ? fallback : nil
  }

  static func tempDir(_ tag: String) throws -> URL {
    let d = URL(fileURLWithPath: "/tmp/el-\(tag)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
    return d
  }
}
