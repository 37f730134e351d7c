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
  /// On Linux the test bundle is itself an executable (`…/release/EdgeLabPackageTests.xctest`), which
  /// `Bundle.allBundles` does not list, so the running executable's folder is checked first; then the
  /// configuration folders (release first: that is what scripts/test.sh builds).
  static var binary: URL? {
    var candidates: [URL] = []
    if let exe = Bundle.main.executableURL { candidates.append(exe.deletingLastPathComponent()) }
    candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
    for b in Bundle.allBundles where b.bundleURL.pathExtension == "xctest" {
      candidates.append(b.bundleURL.deletingLastPathComponent())
    }
    candidates.append(root.appendingPathComponent(".build/release"))
    candidates.append(root.appendingPathComponent(".build/debug"))
    for dir in candidates {
      let exe = dir.appendingPathComponent("edgelab")
      if FileManager.default.isExecutableFile(atPath: exe.path) { return exe }
    }
    return nil
  }

  static func tempDir(_ tag: String) throws -> URL {
    let d = URL(fileURLWithPath: "/tmp/el-\(tag)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
    return d
  }
}
