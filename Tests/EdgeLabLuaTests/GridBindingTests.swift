import Foundation
import XCTest
@testable import EdgeLabLua
import Lab
import LuaBridge

/// `run:grid` and `run:summary()` in one process (the sharded paths run as processes in SweepTests).
final class GridBindingTests: XCTestCase {
  func testGridOrderBreakNestingAndSeeds() throws {
    let root = try Repo.tempDir("grid")
    defer { try? FileManager.default.removeItem(at: root) }
    let lua = try Repo.state(seed: 9)
    let r = try lua.run("""
      local edgelab = require "edgelab"
      local run <close> = edgelab.lab.run { name = "g", root = "\(root.path)" }
      local seen = {}
      for p, k in run:grid { b = { 1, 2 }, a = { "x", "y" } } do seen[#seen + 1] = p.a .. p.b .. ":" .. k end
      local firsts = {}
      for p in run:grid(edgelab.grid { n = { 1, 2, 3 } }) do
        firsts[#firsts + 1] = math.random(1000000)
        for q in run:grid { m = { 1, 2 } } do firsts[#firsts + 1] = q.m end  -- nested: runs whole
        if p.n == 2 then break end                                          -- break closes the grid
      end
      local again = {}
      for p in run:grid(edgelab.grid { n = { 1, 2, 3 } }) do again[#again + 1] = math.random(1000000) end
      local empty = 0
      for _ in run:grid {} do empty = empty + 1 end
      local ok, err = pcall(run.grid, run, 5)
      return table.concat(seen, " "), table.concat(firsts, " "), table.concat(again, " "), empty, err,
             run.role, run.shard, run:summary()
      """, name: "@g.lua")
    XCTAssertEqual(r[0], "x1:1 x2:2 y1:3 y2:4", "edgelab.grid order (keys sorted, the first varies slowest), 1-based k")
    // The same seed, grid number and point give the same draw: point n=1 of grid 2 and point n=1 of grid 3
    // differ (other grid number), and each is reproducible.
    guard case .string(let firsts) = r[1], case .string(let again) = r[2] else { return XCTFail("\(r)") }
    let f = firsts.split(separator: " "), a = again.split(separator: " ")
    XCTAssertEqual(f.count, 6, firsts)   // 2 points × (1 draw + 2 nested)
    XCTAssertEqual(a.count, 3)
    XCTAssertNotEqual(f[0], a[0])
    XCTAssertEqual(r[3], 0)
    XCTAssertTrue(r[4].stringValue?.contains("bad argument #1 to 'grid' (table") ?? false, "\(r[4])")
    XCTAssertEqual(r[5], "whole")
    XCTAssertEqual(r[6], .nil)
    XCTAssertEqual(r[7], true)
    let lua2 = try Repo.state(seed: 9)
    let r2 = try lua2.run("""
      local edgelab = require "edgelab"
      local run <close> = edgelab.lab.run { name = "g2", root = "\(root.path)" }
      for p in run:grid { a = { 1 } } do end
      for p in run:grid(edgelab.grid { n = { 1, 2, 3 } }) do return math.random(1000000) end
      """, name: "@g2.lua")
    XCTAssertEqual(r2.first, .integer(Int(f[0]) ?? -1), "a point's draws depend on (seed, grid number, point) only")
  }
}
