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

struct CamelOptions: Codable, Equatable {
  struct Inner: Codable, Equatable { var stepSize: Double = 1 }
  var itemsPerTask: Int = 40
  var noiseFigureDB: Double = 7
  var edgeGPUs: Int = 1
  var inner = Inner()
  var weightsByName: [String: Double] = ["laptopGPU": 1]
  var note: String? = nil
}

final class KeyStyleTests: XCTestCase {
  func testSnakeCaseWords() {
    let cases = ["itemsPerTask": "items_per_task", "noiseFigureDB": "noise_figure_db", "edgeGPUs": "edge_gpus",
                 "outageSNRdB": "outage_snr_db", "noisePSDdBmHz": "noise_psd_dbm_hz", "peakFLOPS": "peak_flops",
                 "truthfulQAItems": "truthful_qa_items", "kvBytesPerToken": "kv_bytes_per_token",
                 "total_steps": "total_steps", "rho": "rho", "lyapunovV": "lyapunov_v", "addBias": "add_bias",
                 "SNRThreshold": "snr_threshold"]
    for (camel, snake) in cases { XCTAssertEqual(LuaKeyStyle.snakeCase(camel), snake, camel) }
  }

  func decode(_ code: String) throws -> CamelOptions {
    let v = try LuaState().run("return " + code).first!
    return try LuaDecoder().decode(from: v, defaults: CamelOptions())
  }

  func testSnakeKeysDecodeIntoCamelFields() throws {
    let o = try decode("{ items_per_task = 3, noise_figure_db = 9, edge_gpus = 2, inner = { step_size = 0.5 } }")
    XCTAssertEqual(o.itemsPerTask, 3); XCTAssertEqual(o.noiseFigureDB, 9); XCTAssertEqual(o.edgeGPUs, 2)
    XCTAssertEqual(o.inner.stepSize, 0.5)
    XCTAssertEqual(o.weightsByName, ["laptopGPU": 1], "dictionary keys are data: never renamed")
    XCTAssertEqual(try decode("{ weights_by_name = { fastGPU = 2 } }").weightsByName, ["fastGPU": 2, "laptopGPU": 1])
  }

  func testCamelKeysStillWorkWithADeprecationNamingTheNewKey() throws {
    var messages: [String] = []
    let saved = LuaKeyStyle.deprecationHandler
    LuaKeyStyle.deprecationHandler = { messages.append($0) }
    defer { LuaKeyStyle.deprecationHandler = saved }
    let o = try decode("{ itemsPerTask = 5, inner = { stepSize = 2 } }")
    XCTAssertEqual(o.itemsPerTask, 5); XCTAssertEqual(o.inner.stepSize, 2)
    XCTAssertEqual(messages.sorted(), ["option 'inner.stepSize' is deprecated: use 'inner.step_size'",
                                       "option 'itemsPerTask' is deprecated: use 'items_per_task'"])
  }

  func testErrorsNameTheSnakeCaseKey() throws {
    XCTAssertThrowsError(try decode("{ items_per_task = 'x' }")) { e in
      XCTAssertEqual("\(e)", "option 'items_per_task': integer expected, got string \"x\"")
    }
    XCTAssertThrowsError(try decode("{ itemz = 1 }")) { e in
      XCTAssertTrue("\(e)".contains("valid: edge_gpus, inner, items_per_task, noise_figure_db, note, weights_by_name"), "\(e)")
    }
  }

  func testEncoderWritesSnakeCaseRecordsAndKeepsDictionaryKeys() throws {
    guard case .table(let t) = try LuaEncoder().encode(CamelOptions()) else { return XCTFail("not a table") }
    XCTAssertEqual(t.keys.sorted(), ["edge_gpus", "inner", "items_per_task", "noise_figure_db", "weights_by_name"])
    guard case .table(let w)? = t["weights_by_name"] else { return XCTFail("no weights") }
    XCTAssertEqual(w.keys.sorted(), ["laptopGPU"])
  }
}
