import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import EdgeLabLua
import LuaBridge

/// Runs every lua/tests/*.lua in a fresh state (a script passes when it runs without error).
final class LuaScriptTests: XCTestCase {
  func testLuaTestScripts() throws {
    let dir = Repo.root.appendingPathComponent("lua/tests")
    let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".lua") }.sorted()
    XCTAssertFalse(files.isEmpty, "no lua/tests/*.lua found")
    for f in files {
      let lua = try Repo.state(seed: 5)
      do {
        try lua.runFile(dir.appendingPathComponent(f).path, chunkName: "lua/tests/" + f)
      } catch {
        XCTFail("\(f): \((error as? LuaError)?.fullDescription ?? "\(error)")")
      }
      lua.close()
    }
  }
}

/// Every experiments/**/*.lua runs in --smoke mode (through the built CLI, so a crash cannot take the test
/// runner down). A script whose header lists `-- assets: <paths under assets/>` is skipped, with a note,
/// when one of them is missing.
final class ExperimentSmokeTests: XCTestCase {
  func testExperimentsRunInSmokeMode() throws {
    guard let exe = Repo.binary else { throw XCTSkip("edgelab binary not built next to the tests") }
    let root = Repo.root.appendingPathComponent("experiments")
    guard let walker = FileManager.default.enumerator(atPath: root.path) else { throw XCTSkip("no experiments/ folder") }
    let scripts = walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".lua") }.sorted()
    if scripts.isEmpty { throw XCTSkip("no experiment scripts yet") }
    var skipped: [String] = []
    // Smoke runs write their run folders to a scratch root, not the repository's outputs/.
    let scratch = try Repo.tempDir("smoke")
    defer { try? FileManager.default.removeItem(at: scratch) }
    for rel in scripts {
      let path = root.appendingPathComponent(rel).path
      let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
      let needed = ExperimentSmokeTests.neededAssets(text)
      let missing = needed.filter { !FileManager.default.fileExists(atPath: Repo.root.appendingPathComponent("assets/" + $0).path) }
      if !missing.isEmpty {
        skipped.append("\(rel) (missing assets/\(missing.joined(separator: ", assets/")); run `edgelab fetch`)")
        continue
      }
      let t0 = Date()
      let r = try CLIRunner.run(exe, ["run", "experiments/" + rel, "--smoke"], cwd: Repo.root,
                                env: ["EDGELAB_OUTPUTS": scratch.path], timeout: 600)
      print("ExperimentSmokeTests: experiments/\(rel) --smoke: exit \(r.status) in "
            + String(format: "%.1f s", Date().timeIntervalSince(t0)))
      XCTAssertEqual(r.status, 0, "experiments/\(rel) --smoke failed:\n\(r.stderr.suffix(3000))")
    }
    if !skipped.isEmpty { print("ExperimentSmokeTests: skipped for missing assets:\n  " + skipped.joined(separator: "\n  ")) }
    let reports = try ExperimentSmokeTests.checkReports(under: scratch)
    print("ExperimentSmokeTests: \(reports) report.md files checked (figures exist and parse)")
  }

  /// Every report.md under `root`: each figure it references exists, and every SVG in its folder parses as XML.
  static func checkReports(under root: URL) throws -> Int {
    guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return 0 }
    var count = 0
    for case let u as URL in walker where u.lastPathComponent == "report.md" {
      count += 1
      let dir = u.deletingLastPathComponent()
      let text = try String(contentsOf: u, encoding: .utf8)
      let link = try NSRegularExpression(pattern: #"!\[[^\]]*\]\(([^)\s]+)\)"#)
      let ns = text as NSString
      for m in link.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
        let target = ns.substring(with: m.range(at: 1))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent(target).path),
                      "\(u.path) references \(target), which does not exist")
      }
      for f in try FileManager.default.contentsOfDirectory(atPath: dir.path) where f.hasSuffix(".svg") {
        let parser = XMLParser(data: try Data(contentsOf: dir.appendingPathComponent(f)))
        XCTAssertTrue(parser.parse(), "\(dir.lastPathComponent)/\(f) is not well-formed XML: \(String(describing: parser.parserError))")
      }
    }
    return count
  }

  /// Paths from header lines `-- assets: a/b.gguf, data/halueval` (first 30 lines).
  static func neededAssets(_ text: String) -> [String] {
    text.split(separator: "\n").prefix(30).flatMap { line -> [String] in
      let l = line.trimmingCharacters(in: .whitespaces)
      guard l.hasPrefix("-- assets:") else { return [] }
      return l.dropFirst("-- assets:".count).split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
    }
  }

  func testAssetHeaderParsing() {
    XCTAssertEqual(ExperimentSmokeTests.neededAssets("-- x\n-- assets: models/a.gguf, data/halueval\nlocal x"),
                   ["models/a.gguf", "data/halueval"])
    XCTAssertEqual(ExperimentSmokeTests.neededAssets("local x = 1"), [])
  }
}
