import CLua
import XCTest
@testable import LuaBridge

final class ConversionTests: XCTestCase {
  /// Swift → Lua → Swift for every kind of value.
  func testRoundTripEveryKind() throws {
    let lua = LuaState()
    let values: [LuaValue] = [
      .nil, true, false, 0, 42, -7, .integer(Int.max), .integer(Int.min), 3.5, -0.25, .number(1e300),
      "", "hello", "naïve ünïcödé ✓", .string("nul\u{0}inside"),
      [1, 2, 3], ["a", 2.5, true], [[1, 2], [3, [4, 5]]],
      ["x": 1, "y": "two", "z": ["nested": [true, false]]],
      .table([:]),
    ]
    lua.setGlobal("identity", function: { call in
      call.push(try call.value(1))
      return 1
    })
    for v in values {
      lua.setGlobal("v", v)
      XCTAssertEqual(try lua.global("v"), v, "global round trip of \(v)")
      let r = try lua.run("return identity(v)")
      XCTAssertEqual(r.first ?? .nil, v, "call round trip of \(v)")
    }
  }

  /// Values created by Lua code convert to the expected Swift cases.
  func testLuaToSwift() throws {
    let lua = LuaState()
    let r = try lua.run("""
      return 1, 1.0, 2^53, "s", true, nil, {10, 20}, {a = {b = {c = "deep"}}}, {}, 7 // 2, 7 / 2
    """)
    XCTAssertEqual(r.count, 11)
    XCTAssertEqual(r[0], .integer(1))
    XCTAssertEqual(r[1], .number(1.0))                 // floats stay floats
    XCTAssertEqual(r[2], .number(9007199254740992))
    XCTAssertEqual(r[3], "s")
    XCTAssertEqual(r[4], true)
    XCTAssertEqual(r[5], .nil)
    XCTAssertEqual(r[6], [10, 20])
    XCTAssertEqual(r[7]["a"]["b"]["c"], "deep")
    XCTAssertEqual(r[8], .table([:]))
    XCTAssertEqual(r[8].arrayValue, [])                // empty table reads as an empty array too
    XCTAssertEqual(r[9], .integer(3))
    XCTAssertEqual(r[10], .number(3.5))
    XCTAssertEqual(r[1].intValue, 1)
    XCTAssertNil(r[10].intValue)
  }

  func testUnsupportedTablesAreErrors() throws {
    let lua = LuaState()
    for (code, needle) in [("return {1, 2, x = 3}", "mixes"), ("return {[1] = 1, [3] = 3}", "holes"),
                           ("return {[true] = 1}", "boolean key"), ("return {[1.5] = 1}", "number key"),
                           ("local t = {}; t.self = t; return t", "deeper")] {
      XCTAssertThrowsError(try lua.run(code), code) { e in
        XCTAssertTrue("\(e)".contains(needle), "\(code): \(e)")
      }
    }
  }

  /// A table nested under an option names that option (dotted path; long paths cut after four keys).
  func testUnsupportedNestedTablesNameTheOption() throws {
    let lua = LuaState()
    let cases = [
      ("return {hidden = {[1] = 64, [3] = 64}}", "option 'hidden': table is not a sequence (integer keys with holes)"),
      ("return {net = {layers = {1, 2, x = 3}}}", "option 'net.layers': table mixes sequence and string keys"),
      ("return {grid = {{[true] = 1}}}", "option 'grid.1': table has a boolean key"),
      ("local t = {}; local c = t; for i = 1, 300 do c[1] = {}; c = c[1] end; return {hidden = t}",
       "option 'hidden.1.1.1.…': table nested deeper than 100 levels (cyclic?)"),
      ("local t = {}; t.self = t; return {opts = t}", "option 'opts.self.self.self.…': table nested deeper than 100"),
    ]
    for (code, needle) in cases {
      XCTAssertThrowsError(try lua.run(code), code) { e in
        XCTAssertTrue("\(e)".contains(needle), "\(code): \(e)")
      }
    }
    // Exactly maxDepth levels below the argument still convert; one more does not.
    let ok = try lua.run("local t = {}; local c = t; for i = 1, 99 do c[1] = {}; c = c[1] end; return t")
    XCTAssertEqual(ok.count, 1)
    XCTAssertThrowsError(try lua.run("local t = {}; local c = t; for i = 1, 100 do c[1] = {}; c = c[1] end; return t"))
  }

  func testFunctionsAndUserdataAreReferences() throws {
    let lua = LuaState()
    let r = try lua.run("return function(a, b) return a * b, 'done' end, coroutine.create(print)")
    guard case .ref(let f) = r[0], case .ref(let co) = r[1] else { return XCTFail("expected refs") }
    XCTAssertEqual(f.typeName, "function")
    XCTAssertEqual(co.typeName, "thread")
    let out = try LuaFunction(ref: f).call(6, 7)
    XCTAssertEqual(out, [42, "done"])
    // pushing a ref back gives the same Lua object
    lua.setGlobal("g", r[0])
    XCTAssertEqual(try lua.run("return g(2, 3)"), [6, "done"])
  }

  func testArgumentChecksAreLauxlibStyle() throws {
    let lua = LuaState()
    lua.setGlobal("f", function: { call in
      let a = try call.number(1), b = try call.integer(2), s = try call.string(3)
      let flag = try call.optBoolean(4, false)
      call.push("\(a)|\(b)|\(s)|\(flag)")
      return 1
    })
    XCTAssertEqual(try lua.run("return f(1.5, 2, 'x', true)"), ["1.5|2|x|true"])
    XCTAssertEqual(try lua.run("return f('2', 3.0, 4)"), ["2.0|3|4|false"])   // lauxlib coercions
    let cases: [(String, String)] = [
      ("f('a', 1, 's')", "bad argument #1 to 'f' (number expected, got string)"),
      ("f(1, 1.5, 's')", "bad argument #2 to 'f' (number has no integer representation)"),
      ("f(1, 2)", "bad argument #3 to 'f' (string expected, got no value)"),
      ("f(1, 2, {}, 1)", "bad argument #3 to 'f' (string expected, got table)"),
      ("f(1, 2, 's', 1)", "bad argument #4 to 'f' (boolean expected, got number)"),
    ]
    for (code, msg) in cases {
      XCTAssertThrowsError(try lua.run(code, name: "@check.lua")) { e in
        XCTAssertEqual((e as? LuaError)?.message, "check.lua:1: " + msg)
      }
    }
  }

  func testOptionalBooleanArrays() throws {
    let lua = LuaState()
    lua.setGlobal("m", function: { call in
      guard let mask = try call.optBooleans(1) else { call.push("none"); return 1 }
      call.push(mask.map { $0 ? "1" : "0" }.joined())
      return 1
    })
    XCTAssertEqual(try lua.run("return m({true, false, true})"), ["101"])
    XCTAssertEqual(try lua.run("return m()"), ["none"])
    XCTAssertEqual(try lua.run("return m(nil)"), ["none"])
    XCTAssertThrowsError(try lua.run("return m({true, 1})", name: "@check.lua")) { e in
      XCTAssertEqual((e as? LuaError)?.message, "check.lua:1: bad argument #1 to 'm' (element 2: boolean expected, got number)")
    }
  }

  func testNumberFormattingMatchesLua() throws {
    let lua = LuaState()
    for d in [1.0, 0.1, 1e100, -2.5e-7, 123456789012345.0, 1.0 / 3.0] {
      let r = try lua.run("return tostring(...)", args: [.number(d)])
      XCTAssertEqual(r.first?.stringValue, LuaValue.formatNumber(d))
    }
  }
}
