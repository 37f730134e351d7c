import XCTest
@testable import EdgeLabLua
import LuaBridge

final class EdgeLabModuleTests: XCTestCase {
  func testRequireEdgelabMergesSwiftSubmodules() throws {
    let lua = try Repo.state(seed: 7, smoke: true, overrides: [("seeds", 5)])
    let r = try lua.run("""
      local edgelab = require "edgelab"
      return type(edgelab.grid), type(edgelab.stats.mean), type(edgelab.rng.new),
             edgelab.session.seed, edgelab.session.smoke, edgelab.session.overrides.seeds
    """)
    XCTAssertEqual(r, ["function", "function", "function", 7, true, 5])
  }

  func testRNGIsSeededAndSplittable() throws {
    let lua = try Repo.state()
    let r = try lua.run("""
      local rng = require("edgelab").rng
      local a, b = rng.new(42), rng.new(42)
      local same = true
      for _ = 1, 100 do if a:uniform() ~= b:uniform() then same = false end end
      local env1, env2 = rng.new(42):split("env"), rng.new(42):split("env")
      local p = rng.new(1):permutation(5)
      table.sort(p)
      local i = rng.new(3):integer(1, 6)
      return same, env1:normal() == env2:normal(), rng.new(1):split("env").seed ~= rng.new(1):split("pol").seed,
             table.concat(p, ","), i >= 1 and i <= 6, rng.new(5):categorical({0, 1, 0}), tostring(rng.new(9))
    """)
    XCTAssertEqual(r, [true, true, true, "1,2,3,4,5", true, 2, "edgelab.RNG(seed=9)"])
    XCTAssertThrowsError(try lua.run("require('edgelab').rng.new(1):bernoulli(2)", name: "@r.lua")) { e in
      XCTAssertEqual((e as? LuaError)?.message, "r.lua:1: bad argument #1 to 'bernoulli' (probability must be in [0, 1], got 2.0)")
    }
  }

  func testMathRandomSeededFromSession() throws {
    let a = try Repo.state(seed: 11).run("return math.random(1, 1000000), math.random()")
    let b = try Repo.state(seed: 11).run("return math.random(1, 1000000), math.random()")
    let c = try Repo.state(seed: 12).run("return math.random(1, 1000000), math.random()")
    XCTAssertEqual(a, b)
    XCTAssertNotEqual(a, c)
  }

  func testSetOverridesParseLuaLiterals() throws {
    let cases: [(String, String, LuaValue)] = [
      ("seeds=5", "seeds", 5), ("lr=3e-4", "lr", 3e-4), ("name='x y'", "name", "x y"),
      ("agent=ppo", "agent", "ppo"), ("flag=true", "flag", true), ("widths={64,32}", "widths", [64, 32]),
      ("smoke.steps=10", "smoke.steps", 10), ("path=/tmp/a b", "path", "/tmp/a b"), ("expr=2^10", "expr", 1024.0),
      ("x=nil", "x", .nil), ("call=os.exit(3)", "call", "os.exit(3)"), ("t={a=1}", "t", ["a": 1]),
    ]
    for (text, key, value) in cases {
      let (k, v) = try EdgeLabSession.parseOverride(text)
      XCTAssertEqual(k, key, text)
      XCTAssertEqual(v, value, text)
    }
    XCTAssertThrowsError(try EdgeLabSession.parseOverride("noequals"))
    XCTAssertThrowsError(try EdgeLabSession.parseOverride("1bad=2"))
    XCTAssertThrowsError(try EdgeLabSession.parseOverride("=2"))
  }
}
