import XCTest
@testable import LuaBridge

struct TrainOptions: Codable, Equatable {
  enum Agent: String, Codable { case ppo, wmppo }
  struct Schedule: Codable, Equatable { var start: Double = 1e-3; var end: Double = 0 }
  var steps: Int = 1000
  var lr: Double = 3e-4
  var agent: Agent = .ppo
  var name: String = "run"
  var verbose: Bool = false
  var widths: [Int] = [64, 64]
  var schedule = Schedule()
  var note: String? = nil
}

final class DecoderTests: XCTestCase {
  func decode(_ code: String) throws -> TrainOptions {
    let lua = LuaState()
    let v = try lua.run("return " + code).first!
    return try LuaDecoder().decode(from: v, defaults: TrainOptions())
  }

  func testDefaultsAndOverrides() throws {
    XCTAssertEqual(try decode("{}"), TrainOptions())
    let o = try decode("{ steps = 50, lr = 1, agent = 'wmppo', widths = {8}, schedule = { [\"end\"] = 1e-5 }, note = 'hi' }")
    XCTAssertEqual(o.steps, 50)
    XCTAssertEqual(o.lr, 1.0)                // integer accepted for a Double
    XCTAssertEqual(o.agent, .wmppo)
    XCTAssertEqual(o.widths, [8])
    XCTAssertEqual(o.schedule, .init(start: 1e-3, end: 1e-5))   // nested records merge
    XCTAssertEqual(o.note, "hi")
    XCTAssertEqual(try decode("{ steps = 2.0 }").steps, 2)       // integral float accepted for Int
  }

  func testUnknownKeysAreRejectedByName() throws {
    XCTAssertThrowsError(try decode("{ stpes = 5 }")) { e in
      XCTAssertTrue("\(e)".hasPrefix("unknown option 'stpes'"), "\(e)")
      XCTAssertTrue("\(e)".contains("steps"), "lists the valid keys: \(e)")
    }
    XCTAssertThrowsError(try decode("{ schedule = { strat = 1 } }")) { e in
      XCTAssertTrue("\(e)".hasPrefix("unknown option 'schedule.strat'"), "\(e)")
    }
  }

  func testWrongTypesNameKeyExpectedAndGot() throws {
    let cases: [(String, String)] = [
      ("{ steps = 'many' }", "option 'steps': integer expected, got string \"many\""),
      ("{ steps = 1.5 }", "option 'steps': integer expected, got non-integer number 1.5"),
      ("{ lr = 'fast' }", "option 'lr': number expected, got string \"fast\""),
      ("{ verbose = 1 }", "option 'verbose': boolean expected, got integer"),
      ("{ name = 5 }", "option 'name': string expected, got integer"),
      ("{ widths = {1, 'x'} }", "option 'widths.2': integer expected, got string \"x\""),
      ("{ schedule = 3 }", "option 'schedule': table expected, got integer"),
    ]
    for (code, msg) in cases {
      XCTAssertThrowsError(try decode(code), code) { e in XCTAssertEqual("\(e)", msg) }
    }
    XCTAssertThrowsError(try decode("{ agent = 'dqn' }")) { e in
      XCTAssertTrue("\(e)".contains("agent"), "\(e)")
    }
  }

  /// Without defaults, required keys must be present and the message names the missing key.
  func testStrictDecodeWithoutDefaults() throws {
    struct Needs: Decodable { var a: Int; var b: String? }
    XCTAssertEqual(try LuaDecoder().decode(Needs.self, from: ["a": 1]).a, 1)
    XCTAssertThrowsError(try LuaDecoder().decode(Needs.self, from: ["b": "x"])) { e in
      XCTAssertEqual("\(e)", "missing option 'a'")
    }
    XCTAssertThrowsError(try LuaDecoder().decode(Needs.self, from: ["a": 1, "c": 2])) { e in
      XCTAssertEqual("\(e)", "unknown option 'c' (valid: a, b)")
    }
  }

  func testDecodeThroughCallNamesArgument() throws {
    let lua = LuaState()
    lua.setGlobal("train", function: { call in
      let o = try call.decode(1, defaults: TrainOptions())
      call.push(o.steps)
      return 1
    })
    XCTAssertEqual(try lua.run("return train{ steps = 9 }"), [9])
    XCTAssertEqual(try lua.run("return train()"), [1000])
    XCTAssertThrowsError(try lua.run("train{ step = 9 }", name: "@o.lua")) { e in
      XCTAssertTrue((e as! LuaError).message.hasPrefix("o.lua:1: bad argument #1 to 'train' (unknown option 'step'"), "\(e)")
    }
  }

  func testEncoderRoundTrip() throws {
    var o = TrainOptions()
    o.note = "n"
    let v = try LuaEncoder().encode(o)
    XCTAssertEqual(v["steps"], 1000)
    XCTAssertEqual(v["widths"], [64, 64])
    XCTAssertEqual(v["schedule"]["start"], 1e-3)
    XCTAssertEqual(try LuaDecoder().decode(TrainOptions.self, from: v), o)
    let lua = LuaState()
    lua.setGlobal("opts", v)
    XCTAssertEqual(try lua.run("return opts.agent, #opts.widths"), ["ppo", 2])
  }

  func testDictionariesAndLuaValueFields() throws {
    struct S: Codable { var weights: [String: Double]; var extra: LuaValue }
    let s = try LuaDecoder().decode(S.self, from: ["weights": ["a": 1, "b": 0.5], "extra": ["any": [1, 2]]])
    XCTAssertEqual(s.weights, ["a": 1, "b": 0.5])
    XCTAssertEqual(s.extra["any"], [1, 2])
  }
}
