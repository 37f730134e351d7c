import Foundation
import XCTest
@testable import Lab

final class ConfigTests: XCTestCase {
  let defaults: [String: JSONValue] = ["seeds": 3, "steps": 200000, "users": 10, "scenario": "paper"]

  func testLayering() throws {
    let c = try LabConfig.resolve(defaults: defaults, smokeProfile: ["seeds": 1, "steps": 2048], smoke: true,
                                  overrides: ["seeds": 5])
    XCTAssertEqual(c.values["seeds"], 5)
    XCTAssertEqual(c.values["steps"], 2048)
    XCTAssertEqual(c.values["users"], 10)
    XCTAssertEqual(c.id, "seeds=5,steps=2048")
    let noSmoke = try LabConfig.resolve(defaults: defaults, smokeProfile: ["seeds": 1], smoke: false)
    XCTAssertEqual(noSmoke.id, "default")
  }

  func testUnknownKeysNamed() {
    XCTAssertThrowsError(try LabConfig.resolve(defaults: defaults, overrides: ["seedz": 5])) {
      XCTAssertEqual($0 as? LabError, .unknownConfigKey("seedz"))
      XCTAssertTrue("\($0)".contains("'seedz'"))
    }
    XCTAssertThrowsError(try LabConfig.resolve(defaults: defaults, smokeProfile: ["stepz": 1], smoke: true))
  }

  func testDottedKeysAndExtraID() throws {
    let d: [String: JSONValue] = ["env": ["users": 10, "rho": 0.9], "steps": 5]
    var c = try LabConfig.resolve(defaults: d, overrides: ["env.users": 20])
    XCTAssertEqual(c.values["env"], ["users": 20, "rho": 0.9])
    XCTAssertThrowsError(try LabConfig.resolve(defaults: d, overrides: ["env.userz": 1])) {
      XCTAssertEqual($0 as? LabError, .unknownConfigKey("env.userz"))
    }
    XCTAssertThrowsError(try LabConfig.resolve(defaults: d, overrides: ["steps.x": 1]))
    c = try LabConfig.resolve(defaults: d, overrides: ["steps": 6])
    c.extraID = ["seed": 3]
    XCTAssertEqual(c.id, "seed=3,steps=6")
  }

  func testIDNaming() throws {
    // Same value spelled as float and integer is still the default.
    XCTAssertEqual(try LabConfig.resolve(defaults: defaults, overrides: ["steps": .number(200000)]).id, "default")
    XCTAssertEqual(try LabConfig.resolve(defaults: defaults, overrides: ["scenario": "dense-urban"]).id, "scenario=dense-urban")
    // Characters outside the safe set are replaced and a hash keeps distinct configs apart.
    let a = try LabConfig.resolve(defaults: defaults, overrides: ["scenario": "a/b"]).id
    let b = try LabConfig.resolve(defaults: defaults, overrides: ["scenario": "a_b"]).id
    XCTAssertEqual(b, "scenario=a_b")
    XCTAssertTrue(a.hasPrefix("scenario=a_b-"))
    XCTAssertEqual(a, "scenario=a_b-" + String(SHA256.hex("scenario=a/b").prefix(12)))
    XCTAssertNotEqual(a, b)
    let long = try LabConfig.resolve(defaults: defaults, overrides: ["scenario": .string(String(repeating: "x", count: 200))]).id
    XCTAssertEqual(long.count, ConfigID.maxLength)
    XCTAssertFalse(long.contains("/"))
  }
}

final class RunTests: XCTestCase {
  func makeRun(_ root: URL, overrides: [String: JSONValue] = [:], clockStart: Double = 1_800_000_000) throws -> Run {
    let cfg = try LabConfig.resolve(defaults: ["seeds": 3, "lr": 0.001], overrides: overrides)
    var t = clockStart
    let script = root.appendingPathComponent("exp.lua")
    try "print('hi')\n".write(to: script, atomically: true, encoding: .utf8)
    return try Run(root: root.appendingPathComponent("outputs"), experiment: "paper/fig1", config: cfg, seed: 7,
                   script: script, version: "0.1.0", clock: { t += 60; return Date(timeIntervalSince1970: t) })
  }

  func manifest(_ run: Run) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(contentsOf: run.dir.appendingPathComponent("manifest.json"))) as! [String: Any]
  }

  func testFolderLayoutAndComplete() throws {
    let root = temporaryDirectory()
    let run = try makeRun(root, overrides: ["seeds": 5])
    XCTAssertEqual(run.dir.path, root.path + "/outputs/paper/fig1/seeds=5")
    var m = try manifest(run)
    XCTAssertEqual(m["status"] as? String, "running")
    XCTAssertEqual((m["script"] as! [String: Any])["sha256"] as? String, SHA256.hex("print('hi')\n"))
    XCTAssertEqual(m["started"] as? String, "2027-01-15T08:01:00Z")
    XCTAssertEqual(m["seed"] as? Int, 7)
    XCTAssertEqual(try String(contentsOf: run.dir.appendingPathComponent("config.json"), encoding: .utf8),
                   "{\n  \"lr\": 0.001,\n  \"seeds\": 5\n}\n")
    let w = try run.csv("learning.csv", columns: ["agent", "seed", "step", "return"])
    for s in 1...3 { for step in [0, 10, 20] { try w.add(["ppo", .int(s), .int(step), .number(Double(step + s))]) } }
    var spec = PlotSpec(kind: .line, x: "step", y: "return", by: "agent", band: "seed")
    spec.title = "Learning"
    try run.plot(spec, csv: "learning.csv", file: "learning.svg")   // reads the open writer's snapshot
    try run.table("Learning curve", file: "learning.csv")
    try run.note("Some *markdown*.")
    run.log("line 1\n"); run.log("line 2\n")
    try run.finish(.complete)
    m = try manifest(run)
    XCTAssertEqual(m["status"] as? String, "complete")
    XCTAssertEqual(m["ended"] as? String, "2027-01-15T08:02:00Z")
    XCTAssertEqual(m["files"] as? [String], ["learning.csv", "learning.svg"])
    XCTAssertNil(m["error"])
    XCTAssertEqual(try String(contentsOf: run.dir.appendingPathComponent("log.txt"), encoding: .utf8), "line 1\nline 2\n")
    let report = try String(contentsOf: run.dir.appendingPathComponent("report.md"), encoding: .utf8)
    XCTAssertTrue(report.contains("**Status:** complete"))
    XCTAssertTrue(report.contains("![Learning](learning.svg)"))
    XCTAssertTrue(report.contains("| agent | seed | step | return |"))
    XCTAssertTrue(report.contains("| ppo | 3 | 20 | 23 |"))
    XCTAssertTrue(report.contains("| seeds | 5 (default 3) |"))
    XCTAssertTrue(report.contains("Some *markdown*."))
    XCTAssertEqual(try CSVTable.read(run.dir.appendingPathComponent("learning.csv")).rows.count, 9)
    // finish is idempotent: the first final status wins.
    try run.finish(.failed, error: "late")
    XCTAssertEqual(try manifest(run)["status"] as? String, "complete")
    let files = Set(try FileManager.default.contentsOfDirectory(atPath: run.dir.path))
    XCTAssertEqual(files, ["config.json", "manifest.json", "log.txt", "report.md", "learning.csv", "learning.svg"])
  }

  func testReportShowsCommand() {
    XCTAssertEqual(Report.command(["/x/.build/release/edgelab", "run", "exp.lua", "--set", "name='a b'", "--smoke"]),
                   #"edgelab run exp.lua --set 'name='\''a b'\''' --smoke"#)
    XCTAssertEqual(Report.command(["edgelab", "run", "e.lua", "--set", "lr=3e-4"]), "edgelab run e.lua --set lr=3e-4")
  }

  func testFailedRunKeepsWhatItFinished() throws {
    let root = temporaryDirectory()
    let run = try makeRun(root)
    XCTAssertEqual(run.configID, "default")
    let w = try run.csv("partial.csv", columns: ["x"])
    try w.add([1]); try w.add([2])
    XCTAssertFalse(FileManager.default.fileExists(atPath: run.dir.appendingPathComponent("partial.csv").path))
    try run.finish(.failed, error: "exp.lua:12: boom")
    let m = try manifest(run)
    XCTAssertEqual(m["status"] as? String, "failed")
    XCTAssertEqual(m["error"] as? String, "exp.lua:12: boom")
    XCTAssertEqual(try CSVTable.read(run.dir.appendingPathComponent("partial.csv")).rows, [["1"], ["2"]])
    let report = try String(contentsOf: run.dir.appendingPathComponent("report.md"), encoding: .utf8)
    XCTAssertTrue(report.contains("**The run failed**: exp.lua:12: boom"))
  }

  func testInterruptedAndRerunReplacesFolder() throws {
    let root = temporaryDirectory()
    do {
      let run = try makeRun(root)
      _ = try run.csv("old.csv", columns: ["x"])
      try run.finish(.interrupted)
      XCTAssertEqual(try manifest(run)["status"] as? String, "interrupted")
      XCTAssertTrue(try String(contentsOf: run.dir.appendingPathComponent("report.md"), encoding: .utf8)
        .contains("**The run was interrupted**"))
    }
    let again = try makeRun(root)
    XCTAssertFalse(FileManager.default.fileExists(atPath: again.dir.appendingPathComponent("old.csv").path))
    try again.finish(.complete)
  }

  func testReleasedWithoutFinishIsInterrupted() throws {
    let root = temporaryDirectory()
    var dir: URL!
    do { let run = try makeRun(root); dir = run.dir }
    let m = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("manifest.json"))) as! [String: Any]
    XCTAssertEqual(m["status"] as? String, "interrupted")
  }

  func testRefusesForeignFolderAndBadNames() throws {
    let root = temporaryDirectory()
    let foreign = root.appendingPathComponent("outputs/paper/fig1/default")
    try FileManager.default.createDirectory(at: foreign, withIntermediateDirectories: true)
    try "keep".write(to: foreign.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
    XCTAssertThrowsError(try makeRun(root))
    try FileManager.default.removeItem(at: foreign)
    let run = try makeRun(root)
    XCTAssertThrowsError(try run.csv("../x.csv", columns: ["a"]))
    XCTAssertThrowsError(try run.csv("/tmp/x.csv", columns: ["a"]))
    XCTAssertThrowsError(try run.csv("manifest.json", columns: ["a"]))
    XCTAssertThrowsError(try Run(root: root, experiment: "../up", config: try LabConfig.resolve(defaults: [:]), version: "0"))
    try run.finish(.complete)
  }

  func testSameInputsSameFiles() throws {
    func once(_ root: URL) throws -> [String: Data] {
      let run = try makeRun(root)
      let w = try run.csv("a.csv", columns: ["k", "v"])
      for i in 0..<50 { try w.add([.string("k\(i % 3)"), .number(Double(i) / 7)]) }
      let j = try run.jsonl("a.jsonl")
      try j.add(["b": 1, "a": 0.1])
      try run.plot(PlotSpec(kind: .line, x: "v", y: "v", by: "k"), csv: "a.csv", file: "a.svg")
      try run.finish(.complete)
      var out: [String: Data] = [:]
      for f in ["a.csv", "a.jsonl", "a.svg", "config.json", "report.md"] { out[f] = try Data(contentsOf: run.dir.appendingPathComponent(f)) }
      return out
    }
    let a = try once(temporaryDirectory()), b = try once(temporaryDirectory())
    XCTAssertEqual(a, b)
  }
}

final class ProgressTests: XCTestCase {
  func testSilentWhenDisabled() {
    var out = ""
    let p = ProgressLine("train", total: 10, enabled: false, sink: { out += $0 })
    for i in 0...10 { p.update(i) }
    p.finish()
    XCTAssertEqual(out, "")
  }

  func testThrottledAndFormatted() {
    var out: [String] = []
    var t = 0.0
    let p = ProgressLine("train", total: 1000, enabled: true, sink: { out.append($0) }, now: { t })
    for i in 1...1000 { t += 0.001; p.update(i, metric: ("loss", 0.25)) }   // 1 s total, 1000 it/s
    p.finish()
    // ~10 redraws per second (+ the final step), never one per call.
    XCTAssertLessThanOrEqual(p.drawn, 12)
    XCTAssertGreaterThanOrEqual(p.drawn, 9)
    XCTAssertEqual(out.last, "\n")
    XCTAssertEqual(out[out.count - 2], "\r\u{1B}[K" + ("train  1000/1000  100%  1000/s  loss=0.25"))
    XCTAssertEqual(ProgressLine.line(label: "x", step: 250, total: 1000, elapsed: 5, metric: nil), "x  250/1000  25%  50/s  ETA 0:15")
    XCTAssertEqual(ProgressLine.duration(3725), "1:02:05")
  }
}
