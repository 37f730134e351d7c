import Foundation
import XCTest

/// The repository carries its own docs: the architecture page's dependency graph is `Package.swift`'s, and
/// nothing in sources, scripts or docs points outside the repository or at a development machine's paths.
final class RepositoryTests: XCTestCase {
  /// target → dependencies, from `Package.swift` (targets, executable targets, system libraries; not tests).
  static func packageGraph() throws -> [String: Set<String>] {
    let text = try String(contentsOf: Repo.root.appendingPathComponent("Package.swift"), encoding: .utf8)
    var graph: [String: Set<String>] = [:]
    let decl = try NSRegularExpression(pattern: #"\.(target|executableTarget|systemLibrary)\(\s*name:\s*"([^"]+)""#)
    let ns = text as NSString
    let matches = decl.matches(in: text, range: NSRange(location: 0, length: ns.length))
    for (i, m) in matches.enumerated() {
      let name = ns.substring(with: m.range(at: 2))
      let end = i + 1 < matches.count ? matches[i + 1].range.location : ns.length
      var body = ns.substring(with: NSRange(location: m.range.location, length: end - m.range.location))
      if let t = body.range(of: ".testTarget(") { body = String(body[..<t.lowerBound]) }
      var deps = Set<String>()
      if let d = body.range(of: "dependencies:") {
        let rest = body[d.upperBound...]
        var depth = 0, list = ""
        for ch in rest {
          if ch == "[" { depth += 1; if depth == 1 { continue } }
          if ch == "]" { depth -= 1; if depth == 0 { break } }
          if depth >= 1 { list.append(ch) }
        }
        let product = try NSRegularExpression(pattern: #"\.product\(\s*name:\s*"([^"]+)"[^)]*\)"#)
        let plain = try NSRegularExpression(pattern: #""([^"]+)""#)
        let l = list as NSString
        var consumed = list
        for p in product.matches(in: list, range: NSRange(location: 0, length: l.length)) {
          deps.insert(l.substring(with: p.range(at: 1)))
          consumed = consumed.replacingOccurrences(of: l.substring(with: p.range), with: "")
        }
        let c = consumed as NSString
        for p in plain.matches(in: consumed, range: NSRange(location: 0, length: c.length)) {
          deps.insert(c.substring(with: p.range(at: 1)))
        }
      }
      graph[name] = deps
    }
    return graph
  }

  /// target → dependencies, from the marked list in docs/ARCHITECTURE.md.
  static func documentedGraph() throws -> [String: Set<String>] {
    let text = try String(contentsOf: Repo.root.appendingPathComponent("docs/ARCHITECTURE.md"), encoding: .utf8)
    guard let b = text.range(of: "<!-- dependency-graph:begin -->"), let e = text.range(of: "<!-- dependency-graph:end -->")
    else { throw XCTSkip("docs/ARCHITECTURE.md has no dependency-graph markers") }
    var graph: [String: Set<String>] = [:]
    for line in text[b.upperBound..<e.lowerBound].split(separator: "\n") where line.hasPrefix("- ") {
      let names = line.split(separator: "`", omittingEmptySubsequences: false).enumerated()
        .filter { $0.offset % 2 == 1 }.map { String($0.element) }
      guard let first = names.first else { continue }
      graph[first] = line.contains("→") ? Set(names.dropFirst()) : []
    }
    return graph
  }

  func testArchitectureDependencyGraphMatchesPackageSwift() throws {
    let package = try Self.packageGraph(), documented = try Self.documentedGraph()
    XCTAssertFalse(package.isEmpty)
    XCTAssertEqual(Set(package.keys), Set(documented.keys), "targets in Package.swift vs docs/ARCHITECTURE.md")
    for (target, deps) in package.sorted(by: { $0.key < $1.key }) {
      XCTAssertEqual(documented[target], deps, "dependencies of \(target): Package.swift vs docs/ARCHITECTURE.md")
    }
  }

  /// Files a user gets: sources, tests, scripts, Lua, experiments, tools, docs, README, Package.swift.
  static func trackedTextFiles() throws -> [URL] {
    let roots = ["Sources", "Tests", "scripts", "lua", "experiments", "tools", "docs", ".ci"]
    var files = [Repo.root.appendingPathComponent("README.md"), Repo.root.appendingPathComponent("Package.swift")]
    let textExtensions: Set<String> = ["swift", "lua", "md", "sh", "py", "c", "h", "json", "txt", "modulemap", ""]
    for r in roots {
      guard let e = FileManager.default.enumerator(at: Repo.root.appendingPathComponent(r), includingPropertiesForKeys: nil)
      else { continue }
      for case let u as URL in e where textExtensions.contains(u.pathExtension) {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: u.path, isDirectory: &isDir), !isDir.boolValue { files.append(u) }
      }
    }
    return files
  }

  func testNothingPointsOutsideTheRepositoryOrAtAMachinePath() throws {
    let forbidden = ["../" + "shared/", "/" + "work/", "/" + "root/", "/" + "home/"]
    var offenders: [String] = []
    for f in try Self.trackedTextFiles() {
      guard let text = try? String(contentsOf: f, encoding: .utf8) else { continue }
      for pattern in forbidden where text.contains(pattern) {
        offenders.append("\(f.path.replacingOccurrences(of: Repo.root.path + "/", with: "")) contains \(pattern)")
      }
    }
    XCTAssertEqual(offenders, [], "references outside the repository")
  }
}
