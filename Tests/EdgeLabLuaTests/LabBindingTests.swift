import Foundation
import XCTest
@testable import EdgeLabLua
import Lab
import LuaBridge

final class LabBindingTests: XCTestCase {
  func manifest(_ dir: String) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/manifest.json"))) as! [String: Any]
  }

  func testConfigLayersAndUnknownKeys() throws {
    let lua = try Repo.state(smoke: true, overrides: [("seeds", 5), ("env.users", 20)])
    let r = try lua.run("""
      local lab = require("edgelab").lab
      local cfg = lab.config { seeds = 3, steps = 200000, env = { users = 10, rho = 0.9 },
                               smoke = { seeds = 1, steps = 2048 } }
      local ok, err = pcall(function() return cfg.stepz end)
      return cfg.seeds, cfg.steps, cfg.env.users, cfg.env.rho, ok, err, (pcall(function() return cfg.smoke end))
    """, name: "@c.lua")
    XCTAssertEqual(Array(r.prefix(5)), [5, 2048, 20, 0.9, false])
    XCTAssertEqual(r[5], "c.lua:4: unknown config key 'stepz' (declared: env, seeds, steps)")
    XCTAssertEqual(r[6], .boolean(false), "reading 'smoke' (not a setting) is an error too")
    let bad = try Repo.state(overrides: [("seedz", 5)])
    XCTAssertThrowsError(try bad.run("require('edgelab').lab.config { seeds = 3 }", name: "@s.lua")) { e in
      XCTAssertEqual((e as? LuaError)?.message, "s.lua:1: lab.config: --set seedz: unknown config key 'seedz' (declared: seeds)")
    }
  }

  func script(_ root: String) -> String {
    """
    local edgelab = require "edgelab"
    local lab = edgelab.lab
    local cfg = lab.config { seeds = 3, steps = 4, smoke = { seeds = 2 } }
    local run <close> = lab.run { name = "demo", config = cfg, root = "\(root)" }
    print("hello", 42, nil)
    local curves = run:csv("learning.csv", { "agent", "seed", "step", "return" })
    for _, agent in ipairs { "ppo", "wmppo" } do
      for seed = 1, cfg.seeds do
        local rng = edgelab.rng.new(seed):split(agent)
        for step = 1, cfg.steps do curves:add { agent, seed, step * 100, rng:normal(step, 1) } end
      end
    end
    curves:add { agent = "keyed", seed = 9, step = 0 }
    run:plot { data = curves, x = "step", y = "return", by = "agent", band = "seed", file = "curve.svg", title = "Demo" }
    run:plot { data = { { e = 1, a = 0.5 }, { e = 2, a = 0.9 } }, x = "e", y = "a", kind = "scatter", pareto = true, file = "p.svg" }
    run:table("Curves", curves)
    run:note("A note.")
    local j = run:jsonl("events.jsonl")
    j:add { z = 1, a = { 1, 2 } }
    return run.dir, run.id
    """
  }

  func testRunWritesFolderAndClosesComplete() throws {
    let root = try Repo.tempDir("lab")
    let lua = try Repo.state(seed: 3, smoke: true)
    let r = try lua.run(script(root.path), name: "@demo.lua")
    guard case .string(let dir) = r[0] else { return XCTFail("no dir") }
    XCTAssertEqual(r[1], "seed=3,seeds=2")
    XCTAssertEqual(dir, root.path + "/demo/seed=3,seeds=2")
    let m = try manifest(dir)
    XCTAssertEqual(m["status"] as? String, "complete")
    XCTAssertEqual(m["seed"] as? Int, 3)
    XCTAssertEqual(m["smoke"] as? Bool, true)
    XCTAssertEqual(m["files"] as? [String], ["curve.svg", "events.jsonl", "learning.csv", "p.svg"])
    XCTAssertEqual(try String(contentsOfFile: dir + "/log.txt", encoding: .utf8), "hello\t42\tnil\n")
    let csv = try CSVTable.read(URL(fileURLWithPath: dir + "/learning.csv"))
    XCTAssertEqual(csv.rows.count, 2 * 2 * 4 + 1)
    XCTAssertEqual(csv.rows.last, ["keyed", "9", "0", ""])
    let svg = try String(contentsOfFile: dir + "/curve.svg", encoding: .utf8)
    // the keyed row has no "return": it is skipped, so two series remain
    XCTAssertEqual(svg.components(separatedBy: "class=\"line\"").count - 1, 2)
    let report = try String(contentsOfFile: dir + "/report.md", encoding: .utf8)
    XCTAssertTrue(report.contains("![Demo](curve.svg)"))
    XCTAssertTrue(report.contains("### Curves"))
    XCTAssertTrue(report.contains("A note."))
    XCTAssertEqual(try String(contentsOfFile: dir + "/events.jsonl", encoding: .utf8), "{\"a\":[1,2],\"z\":1}\n")
    XCTAssertEqual(try String(contentsOfFile: dir + "/config.json", encoding: .utf8), "{\n  \"seeds\": 2,\n  \"steps\": 4\n}\n")
    // print is restored once the run is closed
    try lua.run("print('after')")
    XCTAssertEqual(try String(contentsOfFile: dir + "/log.txt", encoding: .utf8), "hello\t42\tnil\n")
  }

  /// `run.commit` is what the manifest records (a 40-hex commit inside a git work tree, nil outside one).
  func testRunCommitIsTheManifestCommit() throws {
    let root = try Repo.tempDir("lab-commit")
    let lua = try Repo.state(smoke: true)
    let r = try lua.run("""
      local run <close> = require('edgelab').lab.run { name = 'commit', root = '\(root.path)' }
      return run.dir, run.commit
      """, name: "@commit.lua")
    guard case .string(let dir) = r[0] else { return XCTFail("no dir") }
    let git = try manifest(dir)["git"] as? [String: Any]
    if let recorded = git?["commit"] as? String {
      XCTAssertEqual(r[1], .string(recorded))
      XCTAssertEqual(recorded.count, 40)
      XCTAssertTrue(recorded.allSatisfy(\.isHexDigit), recorded)
    } else {
      XCTAssertEqual(r[1], .nil)
    }
  }

  func testSameSeedByteIdenticalOutputs() throws {
    var outputs: [[String: Data]] = []
    for _ in 0..<2 {
      let root = try Repo.tempDir("lab")
      let r = try Repo.state(seed: 3).run(script(root.path), name: "@demo.lua")
      guard case .string(let dir) = r[0] else { return XCTFail("no dir") }
      var files: [String: Data] = [:]
      for f in ["learning.csv", "events.jsonl", "curve.svg", "p.svg", "config.json"] {
        files[f] = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + f))
      }
      outputs.append(files)
    }
    XCTAssertEqual(outputs[0], outputs[1])
  }

  func testErrorInsideRunMarksFailedAndKeepsRows() throws {
    let root = try Repo.tempDir("lab")
    let lua = try Repo.state()
    XCTAssertThrowsError(try lua.run("""
      local lab = require("edgelab").lab
      local run <close> = lab.run { name = "bad", config = lab.config { n = 1 }, root = "\(root.path)" }
      local w = run:csv("rows.csv", { "i" })
      for i = 1, 3 do w:add { i } end
      error("boom")
    """, name: "@bad.lua"))
    let dir = root.path + "/bad/default"
    let m = try manifest(dir)
    XCTAssertEqual(m["status"] as? String, "failed")
    XCTAssertEqual(m["error"] as? String, "bad.lua:5: boom")
    XCTAssertEqual(try CSVTable.read(URL(fileURLWithPath: dir + "/rows.csv")).rows, [["1"], ["2"], ["3"]])
    XCTAssertTrue(try String(contentsOfFile: dir + "/report.md", encoding: .utf8).contains("**The run failed**: bad.lua:5: boom"))
    XCTAssertTrue(try String(contentsOfFile: dir + "/log.txt", encoding: .utf8).contains("error: bad.lua:5: boom"))
  }

  func testCtrlCMarksInterrupted() throws {
    let root = try Repo.tempDir("lab")
    let lua = try Repo.state()
    lua.setGlobal("ctrl_c", function: { _ in LuaInterrupt.request(); return 0 })
    LuaInterrupt.install(for: lua)
    // uninstall leaves the "requested" flag set; install clears it, so later tests do not look interrupted
    defer { LuaInterrupt.install(for: LuaState()); LuaInterrupt.uninstall() }
    XCTAssertThrowsError(try lua.run("""
      local lab = require("edgelab").lab
      local run <close> = lab.run { name = "int", root = "\(root.path)" }
      local w = run:csv("rows.csv", { "i" })
      w:add { 1 }
      ctrl_c()
      for i = 1, 1e9 do w:add { i } end
    """, name: "@int.lua"))
    let m = try manifest(root.path + "/int/default")
    XCTAssertEqual(m["status"] as? String, "interrupted")
    XCTAssertGreaterThanOrEqual(try CSVTable.read(URL(fileURLWithPath: root.path + "/int/default/rows.csv")).rows.count, 1)
  }

  func testFinishOpenRunsWithoutClose() throws {
    let root = try Repo.tempDir("lab")
    let lua = try Repo.state()
    do {
      try lua.run("""
        local lab = require("edgelab").lab
        RUN = lab.run { name = "open", root = "\(root.path)" }
        error("late failure")
      """, name: "@open.lua")
    } catch {
      XCTAssertEqual(try manifest(root.path + "/open/default")["status"] as? String, "running")
      LabBinding.finishOpenRuns(in: lua, error: error)
    }
    let m = try manifest(root.path + "/open/default")
    XCTAssertEqual(m["status"] as? String, "failed")
    XCTAssertEqual(m["error"] as? String, "open.lua:3: late failure")
    XCTAssertEqual(try lua.run("return RUN.status"), ["failed"])
  }

  func testArgumentErrors() throws {
    let root = try Repo.tempDir("lab")
    let lua = try Repo.state()
    try lua.run("R = require('edgelab').lab.run { name = 'args', root = '\(root.path)' }; W = R:csv('a.csv', {'x', 'y'})")
    let cases: [(String, String)] = [
      ("R:csv('b.csv', {1})", "e.lua:1: bad argument #2 to 'csv' (column 1 must be a string, got number)"),
      ("W:add{1, 2, 3}", "e.lua:1: bad argument #1 to 'add' (row has more than 2 values (columns: x, y))"),
      ("W:add{z = 1}", "e.lua:1: bad argument #1 to 'add' (unknown column 'z' (columns: x, y))"),
      ("R:plot{data = W, x = 'x', y = 'y', colour = 'red'}", "e.lua:1: bad argument #1 to 'plot' (unknown option 'colour'"),
      ("R:plot{data = W, x = 'x', y = 'nope'}", "e.lua:1: bad argument #1 to 'plot' (plot: no column 'nope'"),
      ("R:csv('../up.csv', {'x'})", "e.lua:1: invalid name: file name '../up.csv'"),
      ("require('edgelab').lab.run { nmae = 'x' }", "e.lua:1: bad argument #1 to 'run' (unknown option 'nmae'"),
      ("require('edgelab').lab.run { name = 'args', root = '\(root.path)' }", "e.lua:1: lab.run: \(root.path)/args/default is already open"),
    ]
    for (code, expected) in cases {
      XCTAssertThrowsError(try lua.run(code, name: "@e.lua"), code) { e in
        XCTAssertTrue(((e as? LuaError)?.message ?? "").hasPrefix(expected), "\(code): \(e)")
      }
    }
    try lua.run("R:finish()")
    XCTAssertEqual(try lua.run("return R.status"), ["complete"])
  }
}

final class LabSessionFinishTests: XCTestCase {
  /// `EdgeLab.runScript` (what `edgelab run` uses) tells open runs how the script ended.
  func testScriptEndFinishesRunsWithoutClose() throws {
    let root = try Repo.tempDir("lab")
    for (body, status) in [("", "complete"), ("error('nope')", "failed")] {
      let script = root.appendingPathComponent("s.lua")
      try """
        local lab = require("edgelab").lab
        RUN = lab.run { name = "\(status)", root = "\(root.path)" }
        print("inside")
        \(body)
        """.write(to: script, atomically: true, encoding: .utf8)
      let session = EdgeLabSession(scriptPath: script.path, luaDir: Repo.lua)
      let state = try EdgeLab.makeState(session: session)
      _ = try? EdgeLab.runScript(script.path, in: state, session: session)
      let dir = root.path + "/\(status)/default"
      let m = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/manifest.json"))) as! [String: Any]
      XCTAssertEqual(m["status"] as? String, status)
      if status == "failed" { XCTAssertTrue((m["error"] as? String ?? "").hasSuffix("s.lua:4: nope"), "\(m)") }
      XCTAssertTrue(try String(contentsOfFile: dir + "/log.txt", encoding: .utf8).hasPrefix("inside\n"))
      XCTAssertEqual((m["script"] as? [String: Any])?["sha256"] as? String, SHA256.hex(try Data(contentsOf: script)))
      state.close()
    }
  }
}
