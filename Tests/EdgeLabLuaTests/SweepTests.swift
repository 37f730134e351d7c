import XCTest
@testable import EdgeLabLua
import Lab

/// `edgelab run --shard`, `collect` and `sweep --backend local`, driven as a user would.
final class SweepTests: XCTestCase {
  var exe: URL!
  var dir: URL!

  override func setUpWithError() throws {
    guard let b = Repo.binary else { throw XCTSkip("edgelab binary not built next to the tests") }
    exe = b
    dir = try Repo.tempDir("sweep")
  }

  override func tearDownWithError() throws { if let d = dir { try? FileManager.default.removeItem(at: d) } }

  /// Two outermost grids, the first with a nested (unsliced) grid inside, rows outside the grids, math.random
  /// inside and between the grids, a JSONL file, and a summary that reads the rows back.
  static let nested = """
    local edgelab = require "edgelab"
    local lab = edgelab.lab
    local cfg = lab.config { users = { 2, 3 }, seeds = 3, smoke = { seeds = 2 } }
    local run <close> = lab.run { name = "nested", config = cfg }
    local rows = run:csv("rows.csv", { "part", "users", "seed", "inner", "value", "noise" })
    local events = run:jsonl("events.jsonl")
    rows:add { part = "setup", value = 0 }
    for p, k in run:grid { users = cfg.users, seed = edgelab.range(cfg.seeds) } do
      if os.getenv("FAIL_POINT") == tostring(k) then error("failing at point " .. k) end
      for q in run:grid { inner = { "a", "b,c" } } do
        rows:add { part = "outer", users = p.users, seed = p.seed, inner = q.inner, value = p.users * 10 + p.seed,
                   noise = math.random() }
      end
      events:add { k = k, users = p.users, draw = math.random(1000) }
    end
    rows:add { part = "between", value = math.random() }
    for p in run:grid(edgelab.grid { x = { 1, 2, 3, 4, 5 } }) do
      rows:add { part = "second", value = p.x * p.x, noise = math.random() }
    end
    rows:close()
    events:close()
    if not run:summary() then return end
    local t = lab.read_csv(run.dir .. "/rows.csv")
    local s = run:csv("summary.csv", { "rows", "total" })
    local total = 0
    for _, r in ipairs(t) do total = total + r.value end
    s:add { #t, total }
    s:close()
    run:plot { data = "rows.csv", kind = "bar", x = "part", y = "value", file = "values.svg" }
    run:table("Summary", "summary.csv")
    print("summary of " .. #t .. " rows")
    """

  func run(_ args: [String], outputs: String, env: [String: String] = [:]) throws -> CLIRunner.Result {
    try CLIRunner.run(exe, args, cwd: dir, env: ["EDGELAB_LUA_PATH": Repo.lua, "EDGELAB_OUTPUTS": dir.appendingPathComponent(outputs).path,
                                                 "EDGELAB_PROGRESS": "0"].merging(env) { $1 }, timeout: 120)
  }

  func write(_ name: String, _ code: String) throws -> String {
    try code.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
    return name
  }

  /// The result files of a run folder (not the logs, manifests or reports, which name times and commands).
  static func results(_ runDir: URL) throws -> [String: Data] {
    var out: [String: Data] = [:]
    for f in try FileManager.default.contentsOfDirectory(atPath: runDir.path)
    where [".csv", ".jsonl", ".svg"].contains(where: { f.hasSuffix($0) }) {
      out[f] = try Data(contentsOf: runDir.appendingPathComponent(f))
    }
    return out
  }

  func testLocalSweepEqualsWholeRunByteForByte() throws {
    let s = try write("nested.lua", Self.nested)
    let whole = try run(["run", s, "--seed", "5"], outputs: "whole")
    XCTAssertEqual(whole.status, 0, whole.stderr)
    let expected = try Self.results(dir.appendingPathComponent("whole/nested/seed=5"))
    XCTAssertEqual(Set(expected.keys), ["rows.csv", "events.jsonl", "summary.csv", "values.svg"])

    // A failing shard is reported by index, collect is not attempted, and --only re-runs it alone.
    let failing = try run(["sweep", s, "--shards", "3", "--jobs", "2", "--seed", "5"], outputs: "sharded", env: ["FAIL_POINT": "5"])
    XCTAssertEqual(failing.status, 1)
    XCTAssertTrue(failing.stderr.contains("1 of 3 shards did not complete"), failing.stderr)
    XCTAssertTrue(failing.stderr.contains("shard 1: failed"), failing.stderr)   // point 5 = ordinal 4 ≡ 1 (mod 3)
    XCTAssertTrue(failing.stderr.contains("--only 1 --seed 5"), failing.stderr)
    let runDir = dir.appendingPathComponent("sharded/nested/seed=5")
    let status = try run(["sweep", "--status", runDir.path], outputs: "sharded")
    XCTAssertTrue(status.stdout.contains("shard 1\tfailed"), status.stdout)
    XCTAssertTrue(status.stdout.contains("shards to re-run: 1"), status.stdout)
    let again = try run(["sweep", s, "--shards", "3", "--only", "1", "--seed", "5"], outputs: "sharded")
    XCTAssertEqual(again.status, 0, again.stderr)
    XCTAssertTrue(again.stdout.contains("collect: merged 3 shards"), again.stdout)
    XCTAssertEqual(try Self.results(runDir), expected)

    // The manifest records the sweep: shard count, backend, submissions and per-shard status.
    let sweep = try XCTUnwrap(try RunFolder.sweep(runDir))
    XCTAssertEqual(sweep.shards, 3)
    XCTAssertEqual(sweep.backend, "local")
    XCTAssertEqual(sweep.shardStatus, ["complete", "complete", "complete"])
    XCTAssertEqual(sweep.submissions.map(\.shards), [[0, 1, 2], [1]])
    XCTAssertEqual(try RunFolder.manifest(runDir)["status"]?.stringValue, "complete")

    // Other shard counts give the same bytes.
    for k in [1, 4] {
      let r = try run(["sweep", s, "--shards", String(k), "--seed", "5"], outputs: "k\(k)")
      XCTAssertEqual(r.status, 0, r.stderr)
      XCTAssertEqual(try Self.results(dir.appendingPathComponent("k\(k)/nested/seed=5")), expected, "K=\(k)")
    }

    // collect with a shard missing fails, names it, and leaves the collected run as it was.
    try FileManager.default.removeItem(at: runDir.appendingPathComponent("shards/2"))
    let before = try Self.results(runDir)
    let manifest = try Data(contentsOf: runDir.appendingPathComponent("manifest.json"))
    let c = try run(["collect", runDir.path], outputs: "sharded")
    XCTAssertEqual(c.status, 1)
    XCTAssertTrue(c.stderr.contains("1 of 3 shards"), c.stderr)
    XCTAssertTrue(c.stderr.contains("missing (never ran or no manifest): shard 2"), c.stderr)
    XCTAssertTrue(c.stderr.contains("nothing was written"), c.stderr)
    XCTAssertEqual(try Self.results(runDir), before)
    XCTAssertEqual(try Data(contentsOf: runDir.appendingPathComponent("manifest.json")), manifest)
  }

  /// The powered WM-PPO protocol script (experiments/paper/fig_convergence.lua, smoke profile) as a local sweep:
  /// the same CSVs and figures, byte for byte, as the whole run.
  func testConvergenceProtocolSweepsLocallyLikeTheWholeRun() throws {
    let script = Repo.root.appendingPathComponent("experiments/paper/fig_convergence.lua").path
    let whole = try run(["run", script, "--smoke", "--seed", "3"], outputs: "whole")
    XCTAssertEqual(whole.status, 0, whole.stderr)
    XCTAssertTrue(whole.stdout.contains("mec.diagnose:"), whole.stdout)
    let id = "allow_failing_scenario=true,every=1024,profile=smoke,seed=3,steps=2048"
    let expected = try Self.results(dir.appendingPathComponent("whole/paper/fig_convergence/" + id))
    XCTAssertTrue(["final.csv", "learning.csv", "summary.csv", "verdict.csv"].allSatisfy { expected[$0] != nil },
                  "\(expected.keys.sorted())")
    let sweep = try run(["sweep", script, "--shards", "4", "--jobs", "2", "--smoke", "--seed", "3"], outputs: "sharded")
    XCTAssertEqual(sweep.status, 0, sweep.stderr)
    XCTAssertTrue(sweep.stdout.contains("collect: merged 4 shards"), sweep.stdout)
    XCTAssertEqual(try Self.results(dir.appendingPathComponent("sharded/paper/fig_convergence/" + id)), expected)
  }

  /// A script without run:summary() is refused before any shard runs; a lone shard of it fails at its end.
  func testSweepNeedsRunSummary() throws {
    let s = try write("nosummary.lua", """
      local lab = require("edgelab").lab
      local run <close> = lab.run { name = "nosummary", config = lab.config { n = 3 } }
      local w = run:csv("rows.csv", { "i" })
      for p in run:grid { i = { 1, 2, 3 } } do w:add { p.i } end
      """)
    let r = try run(["sweep", s, "--shards", "2"], outputs: "o")
    XCTAssertEqual(r.status, 1)
    XCTAssertTrue(r.stderr.contains("never calls run:summary()"), r.stderr)
    XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("o/nosummary").path))
    let shard = try run(["run", s, "--shard", "0/2"], outputs: "o")
    XCTAssertEqual(shard.status, 1)
    XCTAssertTrue(shard.stderr.contains("never called run:summary()"), shard.stderr)
    XCTAssertEqual(try run(["run", s, "--shard", "2/2"], outputs: "o").status, 2, "usage error")
  }
}
