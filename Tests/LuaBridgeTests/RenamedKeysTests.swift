import XCTest
@testable import LuaBridge

final class RenamedKeysTests: XCTestCase {
  let renames = LuaRenamedKeys(["rate": ["inner.step_rate"], "both": ["a", "inner.b"]])

  func testOldKeysMoveToTheirNewPathsWithADeprecation() throws {
    var messages: [String] = []
    let saved = LuaKeyStyle.deprecationHandler
    LuaKeyStyle.deprecationHandler = { messages.append($0) }
    defer { LuaKeyStyle.deprecationHandler = saved }
    let out = try renames.apply(to: .table(["rate": .number(2), "both": .integer(1), "inner": .table(["c": .integer(3)]),
                                            "kept": .boolean(true)]), prefix: "opts.")
    XCTAssertEqual(out, .table(["a": .integer(1), "inner": .table(["c": .integer(3), "step_rate": .number(2), "b": .integer(1)]),
                                "kept": .boolean(true)]))
    XCTAssertEqual(messages.sorted(), ["option 'opts.both' is deprecated: use 'opts.a' and 'opts.inner.b'",
                                       "option 'opts.rate' is deprecated: use 'opts.inner.step_rate'"])
    XCTAssertEqual(try renames.apply(to: .table(["kept": .integer(1)])), .table(["kept": .integer(1)]))
    XCTAssertEqual(try renames.apply(to: .integer(4)), .integer(4))
  }

  func testConflictsAreErrors() {
    XCTAssertThrowsError(try renames.apply(to: .table(["rate": .number(2), "inner": .table(["step_rate": .number(1)])]))) {
      XCTAssertTrue("\($0)".contains("'rate' and 'inner.step_rate' both given"), "\($0)")
    }
    XCTAssertThrowsError(try renames.apply(to: .table(["rate": .number(2), "inner": .integer(1)]))) {
      XCTAssertTrue("\($0)".contains("'inner' is not a table"), "\($0)")
    }
  }
}
