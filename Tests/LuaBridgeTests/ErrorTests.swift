import CLua
import XCTest
@testable import LuaBridge

final class Tracked {
  nonisolated(unsafe) static var live = 0
  nonisolated(unsafe) static var created = 0
  let n: Int
  init(_ n: Int) { self.n = n; Tracked.live += 1; Tracked.created += 1 }
  deinit { Tracked.live -= 1 }
}

struct DomainError: Error, CustomStringConvertible {
  let description: String
}

final class ErrorTests: XCTestCase {
  func tempScript(_ name: String, _ code: String) throws -> String {
    let dir = URL(fileURLWithPath: "/tmp/lb-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try code.write(to: url, atomically: true, encoding: .utf8)
    return url.path
  }

  /// A Swift throw inside a call from a script names the script's file and line.
  func testSwiftErrorReportsScriptLine() throws {
    let lua = LuaState()
    lua.setGlobal("quantize", function: { call in
      let bits = try call.integer(1)
      throw DomainError(description: "bits must be one of 2,3,4,5,6,8; got \(bits)")
    })
    let path = try tempScript("script.lua", "local x = 1\n\nquantize(7)\n")
    XCTAssertThrowsError(try lua.runFile(path)) { e in
      let le = e as! LuaError
      XCTAssertEqual(le.message, "\(path):3: bits must be one of 2,3,4,5,6,8; got 7")
      XCTAssertTrue(le.message.contains("script.lua:3:"))
      XCTAssertNotNil(le.traceback)
    }
  }

  /// 1000 failing calls leave nothing alive: objects made by the failing function, objects passed to it,
  /// and the userdata Lua made, once collected.
  func testNoLeaksOverFailingCalls() throws {
    Tracked.live = 0
    Tracked.created = 0
    let cls = LuaClass<Tracked>("test.Tracked").method("fail") { call, t in
      let tmp = Tracked(t.n + 1)   // allocated inside the failing Swift frame
      throw DomainError(description: "failing on \(tmp.n)")
    }
    do {
      let lua = LuaState()
      lua.setGlobal("make", function: { call in call.push(Tracked(try call.integer(1)), as: cls); return 1 })
      lua.setGlobal("explode", function: { call in
        let t = try call.object(1, cls)
        let local = Tracked(t.n)
        _ = local
        throw DomainError(description: "boom")
      })
      let r = try lua.run("""
        local failures = 0
        for i = 1, 1000 do
          local obj = make(i)
          if not pcall(explode, obj) then failures = failures + 1 end
          if not pcall(obj.fail, obj) then failures = failures + 1 end
          if not pcall(explode, 42) then failures = failures + 1 end
        end
        collectgarbage(); collectgarbage()
        return failures
      """)
      XCTAssertEqual(r, [3000])
      XCTAssertEqual(Tracked.created, 3000)
      XCTAssertEqual(Tracked.live, 0, "every Swift object made over 1000 failing calls was released")
      // and the state remains healthy
      XCTAssertEqual(try lua.run("return 1 + 1"), [2])
    }
    XCTAssertEqual(Tracked.live, 0)
  }

  /// A Lua error inside a callback that Swift invokes reaches Swift as a thrown LuaError with a traceback.
  func testLuaErrorInCallbackReachesSwift() throws {
    let lua = LuaState()
    var caught: LuaError?
    lua.setGlobal("train", function: { call in
      let cb = try call.function(1)
      do { try cb.call(.integer(10)) } catch let e as LuaError { caught = e; throw e }
      return 0
    })
    let path = try tempScript("cb.lua", "local function on_eval(step)\n  error('bad step ' .. step)\nend\ntrain(on_eval)\n")
    XCTAssertThrowsError(try lua.runFile(path)) { e in
      XCTAssertEqual((e as? LuaError)?.message, "\(path):2: bad step 10")
    }
    let inner = try XCTUnwrap(caught)
    XCTAssertEqual(inner.message, "\(path):2: bad step 10")
    let tb = try XCTUnwrap(inner.traceback)
    XCTAssertTrue(tb.hasPrefix("stack traceback:"), tb)
    XCTAssertTrue(tb.contains("cb.lua:2: in function"), tb)
  }

  func testRuntimeAndSyntaxErrorsFromSwift() throws {
    let lua = LuaState()
    XCTAssertThrowsError(try lua.run("local t = nil\nreturn t.x", name: "@rt.lua")) { e in
      let le = e as! LuaError
      XCTAssertTrue(le.message.hasPrefix("rt.lua:2: attempt to index"), le.message)
      XCTAssertTrue(le.traceback?.contains("rt.lua:2") ?? false)
    }
    XCTAssertThrowsError(try lua.run("x = = 1", name: "@syn.lua")) { e in
      XCTAssertTrue((e as! LuaError).message.hasPrefix("syn.lua:1:"), "\(e)")
    }
    XCTAssertThrowsError(try lua.load("for i = 1, 2 do", name: "=stdin")) { e in
      XCTAssertTrue((e as! LuaError).message.hasSuffix("<eof>"))
    }
    XCTAssertThrowsError(try lua.runFile("/nonexistent/missing.lua")) { e in
      XCTAssertTrue("\(e)".contains("missing.lua"))
    }
    XCTAssertThrowsError(try lua.run("error({code = 1})")) { e in
      XCTAssertTrue("\(e)".contains("table value"), "\(e)")
    }
  }

  /// Errors thrown by Lua through a nested Swift → Lua → Swift chain keep the innermost location once.
  func testNestedErrorsAreNotPrefixedTwice() throws {
    let lua = LuaState()
    lua.setGlobal("call", function: { call in try call.function(1).call(); return 0 })
    lua.setGlobal("fail", function: { _ in throw DomainError(description: "deep") })
    XCTAssertThrowsError(try lua.run("call(function()\n  fail()\nend)", name: "@n.lua")) { e in
      XCTAssertEqual((e as? LuaError)?.message, "n.lua:2: deep")
    }
  }

  func testInterruptStopsRunningScript() throws {
    let lua = LuaState()
    LuaInterrupt.install(for: lua)
    defer { LuaInterrupt.uninstall() }
    lua.setGlobal("ctrl_c", function: { _ in LuaInterrupt.request(); return 0 })
    XCTAssertThrowsError(try lua.run("local n = 0\nctrl_c()\nwhile true do n = n + 1 end", name: "@loop.lua")) { e in
      let le = e as! LuaError
      XCTAssertTrue(le.isInterrupt, le.message)
      XCTAssertTrue(le.message.hasPrefix("loop.lua:"), le.message)
    }
    XCTAssertTrue(LuaInterrupt.requested)
    XCTAssertThrowsError(try LuaInterrupt.check())
    // the hook removed itself: the state still runs code
    XCTAssertEqual(try lua.run("return 5"), [5])
  }

  /// A long-lived host (the REPL) installs and uninstalls around every chunk: a Ctrl-C from an earlier chunk
  /// must not make a later, unrelated error look like an interrupt, nor stop the next chunk.
  func testUninstallForgetsEarlierInterrupt() throws {
    let lua = LuaState()
    LuaInterrupt.install(for: lua)
    LuaInterrupt.request()          // Ctrl-C while Swift code runs; no Lua code follows in this chunk
    XCTAssertTrue(LuaInterrupt.requested)
    LuaInterrupt.uninstall()
    XCTAssertFalse(LuaInterrupt.requested)
    XCTAssertNoThrow(try LuaInterrupt.check())
    // the pending stop hook was withdrawn: the next chunk runs, with or without a fresh install
    XCTAssertEqual(try lua.run("local s = 0 for i = 1, 1000 do s = s + i end return s"), [500500])
    LuaInterrupt.install(for: lua)
    defer { LuaInterrupt.uninstall() }
    XCTAssertThrowsError(try lua.run("error('plain failure')")) { e in
      XCTAssertFalse((e as! LuaError).isInterrupt)
      XCTAssertFalse(LuaInterrupt.requested)
    }
    // a user's own debug hook survives uninstall
    XCTAssertEqual(try lua.run("debug.sethook(function() end, 'c') return debug.gethook() ~= nil"), [true])
    LuaInterrupt.uninstall()
    XCTAssertEqual(try lua.run("return debug.gethook() ~= nil"), [true])
  }

  func testCallbacksWorkInsideCoroutines() throws {
    let lua = LuaState()
    lua.setGlobal("apply", function: { call in
      let r = try call.function(1).call(try call.value(2))
      call.push(r.first ?? .nil)
      return 1
    })
    let r = try lua.run("""
      local co = coroutine.wrap(function(x)
        local y = apply(function(v) return v * 2 end, x)
        coroutine.yield(y)
        return apply(function(v) return v + 1 end, y)
      end)
      return co(5), co()
    """)
    XCTAssertEqual(r, [10, 11])
  }
}
