import CLua
import XCTest
@testable import LuaBridge

final class Counter {
  nonisolated(unsafe) static var live = 0
  var n = 0
  var closedWith: LuaValue?
  init() { Counter.live += 1 }
  deinit { Counter.live -= 1 }
}

final class UserdataTests: XCTestCase {
  let cls = LuaClass<Counter>("test.Counter")
    .method("add") { call, c in c.n += try call.optInteger(2, 1); call.push(c.n); return 1 }
    .property("n") { c in .integer(c.n) }
    .tostring { c in "Counter(\(c.n))" }
    .close { c, err in c.closedWith = err }
    .metamethod("__len") { call, c in call.push(c.n); return 1 }

  func testMethodsPropertiesMetamethods() throws {
    let lua = LuaState()
    let counter = Counter()
    let cls = self.cls
    lua.setGlobal("new", function: { call in call.push(Counter(), as: cls); return 1 })
    lua.setGlobal("shared", function: { call in call.push(counter, as: cls); return 1 })
    let r = try lua.run("""
      local c = new()
      c:add(); c:add(4)
      return c.n, tostring(c), #c, c.missing, type(c)
    """)
    XCTAssertEqual(r, [5, "Counter(5)", 5, .nil, "userdata"])
    try lua.run("local s = shared(); s:add(3)")
    XCTAssertEqual(counter.n, 3)
    XCTAssertThrowsError(try lua.run("local c = new(); c.add(5)", name: "@m.lua")) { e in
      XCTAssertTrue("\(e)".contains("m.lua:1: calling 'add' on bad self (test.Counter expected, got number)"), "\(e)")
    }
    XCTAssertThrowsError(try lua.run("local c = new(); c:add('x')", name: "@m.lua")) { e in
      // method argument numbers skip self, as lauxlib does
      XCTAssertTrue("\(e)".contains("bad argument #1 to 'add' (number expected, got string)"), "\(e)")
    }
  }

  func testCollectGarbageReleasesObjects() throws {
    Counter.live = 0
    let lua = LuaState()
    let cls = self.cls
    lua.setGlobal("new", function: { call in call.push(Counter(), as: cls); return 1 })
    try lua.run("keep = {} for i = 1, 100 do local c = new(); if i % 2 == 0 then keep[#keep + 1] = c end end")
    try lua.run("collectgarbage(); collectgarbage()")
    XCTAssertEqual(Counter.live, 50)
    try lua.run("keep = nil; collectgarbage(); collectgarbage()")
    XCTAssertEqual(Counter.live, 0)
    // closing the state releases whatever Lua still holds
    try lua.run("keep2 = { new(), new() }")
    XCTAssertEqual(Counter.live, 2)
    lua.close()
    XCTAssertEqual(Counter.live, 0)
  }

  func testCloseVariable() throws {
    let lua = LuaState()
    let cls = self.cls
    var made: [Counter] = []
    lua.setGlobal("new", function: { call in let c = Counter(); made.append(c); call.push(c, as: cls); return 1 })
    try lua.run("do local c <close> = new(); c:add() end")
    XCTAssertEqual(made[0].closedWith, .nil)
    XCTAssertThrowsError(try lua.run("do local c <close> = new(); error('oops') end", name: "@c.lua"))
    XCTAssertTrue(made[1].closedWith?.stringValue?.hasPrefix("c.lua:1: oops") ?? false)
  }

  func testWrongUserdataIsTypeError() throws {
    let lua = LuaState()
    let cls = self.cls
    let other = LuaClass<Counter>("test.Other")
    lua.setGlobal("other", function: { call in call.push(Counter(), as: other); return 1 })
    lua.setGlobal("use", function: { call in _ = try call.object(1, cls); return 0 })
    XCTAssertThrowsError(try lua.run("use(other())", name: "@u.lua")) { e in
      XCTAssertEqual((e as? LuaError)?.message, "u.lua:1: bad argument #1 to 'use' (test.Counter expected, got test.Other)")
    }
    XCTAssertThrowsError(try lua.run("use(io.stdout)", name: "@u.lua")) { e in
      XCTAssertEqual((e as? LuaError)?.message, "u.lua:1: bad argument #1 to 'use' (test.Counter expected, got FILE*)")
    }
  }

  func testModulesPreloadAndPackagePath() throws {
    let lua = LuaState()
    let m = LuaModule("demo").function("twice") { call in call.push(2 * (try call.number(1))); return 1 }
      .value("version", "1.2")
    lua.preload(m)
    XCTAssertEqual(try lua.run("local d = require 'demo'; return d.twice(21), d.version, require('demo') == d"),
                   [42.0, "1.2", true])
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lp-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir.appendingPathComponent("pkg"), withIntermediateDirectories: true)
    try "return { answer = 42 }".write(to: dir.appendingPathComponent("pkg/init.lua"), atomically: true, encoding: .utf8)
    lua.addPackagePath(dir.path)
    XCTAssertEqual(try lua.run("return require('pkg').answer"), [42])
  }
}
