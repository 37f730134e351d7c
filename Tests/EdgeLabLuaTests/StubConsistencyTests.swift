import Foundation
import XCTest
@testable import EdgeLabLua
import LuaBridge

/// One field of a LuaCATS stub class: `---@field name? type description (default X)`.
struct StubField: Equatable {
  var name: String
  var optional: Bool
  var type: String
  var defaultText: String?
}

enum Stubs {
  /// class name → fields, from every `lua/meta/*.lua` (or from `text` for the self-test).
  static func parse(_ text: String) -> [String: [String: StubField]] {
    var classes: [String: [String: StubField]] = [:]
    var current: String?
    for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.hasPrefix("---@class ") {
        let rest = line.dropFirst("---@class ".count)
        current = String(rest.split(separator: " ").first ?? "").split(separator: ":").first.map(String.init)
        if let c = current { classes[c] = classes[c] ?? [:] }
        continue
      }
      guard line.hasPrefix("---@field "), let c = current else {
        if !line.hasPrefix("---") { current = nil }
        continue
      }
      var rest = Substring(line.dropFirst("---@field ".count))
      let nameEnd = rest.firstIndex(of: " ") ?? rest.endIndex
      var name = String(rest[..<nameEnd])
      rest = rest[nameEnd...].drop(while: { $0 == " " })
      let optional = name.hasSuffix("?")
      if optional { name.removeLast() }
      var type = ""
      if rest.first == "{" {
        var depth = 0
        for ch in rest {
          type.append(ch)
          if ch == "{" { depth += 1 } else if ch == "}" { depth -= 1; if depth == 0 { break } }
        }
      } else {
        type = String(rest.prefix { $0 != " " })
      }
      let description = String(rest.dropFirst(type.count))
      var defaultText: String?
      if let r = description.range(of: "(default ") {
        defaultText = String(description[r.upperBound...].prefix { $0 != ")" && $0 != ";" && $0 != "," })
          .trimmingCharacters(in: .whitespaces)
      }
      classes[c]![name] = StubField(name: name, optional: optional, type: type, defaultText: defaultText)
    }
    return classes
  }

  static func all() throws -> [String: [String: StubField]] {
    let dir = Repo.root.appendingPathComponent("lua/meta")
    var text = ""
    for f in try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() where f.hasSuffix(".lua") {
      text += try String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8) + "\n"
    }
    return parse(text)
  }

  /// Problems between a Swift config (keys + defaults) and its stub class; empty when they agree.
  static func compare(_ entry: LuaOptionEntry, _ fields: [String: StubField]?) -> [String] {
    guard let fields = fields else { return ["\(entry.stubClass): no ---@class in lua/meta"] }
    var problems: [String] = []
    let swiftKeys = Set(entry.keys), stubKeys = Set(fields.keys).subtracting(entry.extraKeys)
    for k in swiftKeys.subtracting(stubKeys).sorted() { problems.append("\(entry.stubClass).\(k): in Swift, missing from the stub") }
    for k in stubKeys.subtracting(swiftKeys).sorted() { problems.append("\(entry.stubClass).\(k): in the stub, not an option in Swift") }
    for k in swiftKeys.intersection(stubKeys).sorted() {
      let f = fields[k]!, where_ = "\(entry.stubClass).\(k)"
      if !f.optional { problems.append("\(where_): options are optional; write `\(k)?`") }
      guard let d = entry.defaults[k] else { continue }   // nil default: any type, no default stated
      if let p = typeProblem(d, f.type) { problems.append("\(where_): \(p)") }
      if let p = defaultProblem(d, f.defaultText) { problems.append("\(where_): \(p)") }
    }
    return problems
  }

  static func typeProblem(_ v: LuaValue, _ type: String) -> String? {
    let scalarTypes = ["integer", "number", "boolean", "string"]
    let ok: Bool
    switch v {
    case .integer: ok = type == "integer"
    case .number: ok = type == "number"
    case .boolean: ok = type == "boolean"
    case .string(let s): ok = type == "string" || type.split(separator: "|").contains { $0 == "\"\(s)\"" }
    case .array, .table: ok = !scalarTypes.contains(type) && !type.hasPrefix("\"")
    default: ok = true
    }
    return ok ? nil : "stub type `\(type)` does not match the Swift default \(v.kindName)"
  }

  static func defaultProblem(_ v: LuaValue, _ text: String?) -> String? {
    switch v {
    case .array, .table: return nil   // structured defaults are described in words
    default: break
    }
    let expected: String
    switch v {
    case .integer(let i): expected = String(i)
    case .number(let d): expected = LuaValue.formatNumber(d)
    case .boolean(let b): expected = b ? "true" : "false"
    case .string(let s): expected = "\"\(s)\""
    default: return nil
    }
    guard let t = text else { return "the stub states no default; Swift's is \(expected): add `(default \(expected))`" }
    let agrees: Bool
    switch v {
    case .integer(let i): agrees = Double(t) == Double(i)
    // A Swift `Float` default reaches Lua as the Double nearest to it (2.5e-4 → 0.000250000011874…): the stub's
    // decimal agrees when it rounds to the same Float.
    case .number(let d): agrees = Double(t).map {
        abs($0 - d) <= 1e-12 * max(1, abs(d)) || (Double(Float(d)) == d && Float($0) == Float(d))
      } ?? false
    case .string(let s): agrees = t == "\"\(s)\"" || t == s
    default: agrees = t == expected
    }
    return agrees ? nil : "stub default \(t) ≠ Swift default \(expected)"
  }
}

final class StubConsistencyTests: XCTestCase {
  func testEveryBindingConfigMatchesItsStub() throws {
    let stubs = try Stubs.all()
    var problems: [String] = []
    for entry in try LuaOptionCatalog.entries() { problems += Stubs.compare(entry, stubs[entry.stubClass]) }
    XCTAssertEqual(problems, [], "Swift configs and lua/meta stubs disagree:\n" + problems.joined(separator: "\n"))
  }

  struct Sample: Codable { var steps = 100; var rate = 0.5; var mode = "fast"; var note: String? = nil }

  /// The check fails when a default, a type or a key changes on one side only.
  func testTheCheckCatchesOneSidedChanges() throws {
    let entry = try LuaOptionEntry("demo.Sample", Sample())
    func problems(_ stub: String) -> [String] { Stubs.compare(entry, Stubs.parse("---@class demo.Sample\n" + stub)["demo.Sample"]) }
    let good = """
      ---@field steps? integer how many (default 100)
      ---@field rate? number (default 0.5)
      ---@field mode? "fast"|"slow" (default "fast")
      ---@field note? string
      """
    XCTAssertEqual(problems(good), [])
    XCTAssertEqual(problems(good.replacingOccurrences(of: "(default 100)", with: "(default 200)")),
                   ["demo.Sample.steps: stub default 200 ≠ Swift default 100"])
    XCTAssertEqual(problems(good.replacingOccurrences(of: "rate? number", with: "rate? integer")),
                   ["demo.Sample.rate: stub type `integer` does not match the Swift default number"])
    XCTAssertEqual(problems(good.replacingOccurrences(of: "---@field note? string", with: "---@field notes? string")),
                   ["demo.Sample.note: in Swift, missing from the stub", "demo.Sample.notes: in the stub, not an option in Swift"])
    XCTAssertEqual(problems(good.replacingOccurrences(of: " (default 0.5)", with: "")),
                   ["demo.Sample.rate: the stub states no default; Swift's is 0.5: add `(default 0.5)`"])
  }
}
