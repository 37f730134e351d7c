import XCTest
@testable import EdgeLabLua
import Lab

/// `edgelab sweep --backend slurm` against a real Slurm (scripts/slurm-local.sh starts a one-node one;
/// scripts/test.sh runs it before the tests). Under CI (CI=true) a Slurm that is not up is a failure; elsewhere
/// the test is skipped with the reason.
final class SlurmSweepTests: XCTestCase {
  static let script = """
    -- A 2×3 MEC grid (users × seeds) of the greedy baseline, summarised per population.
    local edgelab = require "edgelab"
    local lab, mec, stats = edgelab.lab, edgelab.mec, edgelab.stats
    local cfg = lab.config { users = { 3, 5 }, seeds = 3, horizon = 20 }
    local run <close> = lab.run { name = "slurm_mec", config = cfg }
    local results = run:csv("results.csv", { "users", "seed", "latency_mean", "mean_return" })
    for p in run:grid { users = cfg.users, seed = edgelab.range(cfg.seeds) } do
      local env = mec.env { scenario = "paper", users = p.users, horizon = cfg.horizon }
      local r = mec.evaluate(mec.baseline("greedy", env, p.seed), env, { episodes = 1, seeds = { p.seed } })
      results:add { users = p.users, seed = p.seed, latency_mean = r.latency_mean, mean_return = r.mean_return }
    end
    results:close()
    if not run:summary() then return end
    local by = {}
    for _, r in ipairs(lab.read_csv(run.dir .. "/results.csv")) do
      by[r.users] = by[r.users] or {}
      table.insert(by[r.users], r.latency_mean)
    end
    local summary = run:csv("summary.csv", { "users", "latency_mean" })
    for users, xs in edgelab.sorted_pairs(by) do summary:add { users, stats.mean(xs) } end
    summary:close()
    """

  /// nil when a Slurm node is up, else why not (sinfo is given at most 20 s).
  func slurmIsUp() -> String? {
    guard let r = try? CLIRunner.run(URL(fileURLWithPath: "/usr/bin/env"), ["sinfo", "-h", "-o", "%T"], timeout: 20) else {
      return "cannot run sinfo"
    }
    if r.status == 127 { return "sinfo not found (Slurm is not installed)" }
    guard r.status == 0 else { return "sinfo failed (slurmctld not running?): \(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines))" }
    guard r.stdout.split(separator: "\n").contains(where: { ["idle", "mixed", "allocated"].contains($0) }) else {
      return "no Slurm node is up (sinfo: \(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))"
    }
    return nil
  }

  /// The edgelab binary when a Slurm node is up; nil after recording a failure (under CI); a skip elsewhere.
  func slurmAndBinary() throws -> URL? {
    guard let exe = Repo.binary else { throw XCTSkip("edgelab binary not built next to the tests") }
    if let reason = slurmIsUp() {
      if ProcessInfo.processInfo.environment["CI"] == "true" {
        XCTFail("SLURM IS NOT RUNNING under CI: \(reason). scripts/test.sh starts it with scripts/slurm-local.sh; see its output above.")
        return nil
      }
      throw XCTSkip("Slurm is not running (\(reason)); start it with scripts/slurm-local.sh (root)")
    }
    return exe
  }

  /// Waits (bounded) until the collect job marks the run folder complete or failed; returns the last status.
  func waitForCollect(_ runDir: URL, seconds: Double = 240) -> String {
    let deadline = Date().addingTimeInterval(seconds)
    var state = ""
    while Date() < deadline {
      state = (try? RunFolder.manifest(runDir))?["status"]?.stringValue ?? "none"
      if state == "complete" || state == "failed" { break }
      Thread.sleep(forTimeInterval: 0.5)
    }
    return state
  }

  /// The job output of a sweep (for failure messages).
  func jobLogs(_ runDir: URL) -> String {
    ((try? FileManager.default.contentsOfDirectory(atPath: runDir.appendingPathComponent("sweep").path)) ?? [])
      .filter { $0.hasSuffix(".out") }.sorted()
      .map { f in f + ":\n" + ((try? String(contentsOf: runDir.appendingPathComponent("sweep/" + f), encoding: .utf8)) ?? "") }
      .joined(separator: "\n")
  }

  /// The powered WM-PPO protocol script (experiments/paper/fig_convergence.lua, smoke profile) on Slurm: the
  /// merged CSVs equal the whole run's byte for byte.
  func testConvergenceProtocolOnSlurmEqualsWholeRun() throws {
    guard let exe = try slurmAndBinary() else { return }
    let dir = try Repo.tempDir("slurm-convergence")
    defer { try? FileManager.default.removeItem(at: dir) }
    let script = Repo.root.appendingPathComponent("experiments/paper/fig_convergence.lua").path
    func run(_ args: [String], outputs: String) throws -> CLIRunner.Result {
      try CLIRunner.run(exe, args, cwd: dir, env: ["EDGELAB_LUA_PATH": Repo.lua, "EDGELAB_OUTPUTS": dir.appendingPathComponent(outputs).path],
                        timeout: 120)
    }
    let whole = try run(["run", script, "--smoke"], outputs: "whole")
    XCTAssertEqual(whole.status, 0, whole.stderr)
    let submit = try run(["sweep", script, "--smoke", "--shards", "3", "--backend", "slurm", "--slurm", "--time=10 --cpus-per-task=1"],
                         outputs: "slurm")
    XCTAssertEqual(submit.status, 0, submit.stderr)
    let id = "paper/fig_convergence/allow_failing_scenario=true,every=1024,profile=smoke,steps=2048"
    let runDir = dir.appendingPathComponent("slurm/" + id)
    let state = waitForCollect(runDir)
    XCTAssertEqual(state, "complete", "the sweep did not finish in 240 s:\n\(jobLogs(runDir))")
    guard state == "complete" else { return }
    for f in ["final.csv", "learning.csv", "summary.csv", "verdict.csv", "curves_mec.svg", "curves_cartpole.svg"] {
      XCTAssertEqual(try Data(contentsOf: runDir.appendingPathComponent(f)),
                     try Data(contentsOf: dir.appendingPathComponent("whole/" + id + "/" + f)), f)
    }
  }

  func testSlurmSweepEqualsWholeRun() throws {
    guard let exe = try slurmAndBinary() else { return }
    let dir = try Repo.tempDir("slurm")
    defer { try? FileManager.default.removeItem(at: dir) }
    try Self.script.write(to: dir.appendingPathComponent("mec.lua"), atomically: true, encoding: .utf8)
    func run(_ args: [String], outputs: String) throws -> CLIRunner.Result {
      try CLIRunner.run(exe, args, cwd: dir, env: ["EDGELAB_LUA_PATH": Repo.lua, "EDGELAB_OUTPUTS": dir.appendingPathComponent(outputs).path],
                        timeout: 120)
    }
    let whole = try run(["run", "mec.lua"], outputs: "whole")
    XCTAssertEqual(whole.status, 0, whole.stderr)
    let submit = try run(["sweep", "mec.lua", "--shards", "3", "--backend", "slurm", "--slurm", "--time=10 --cpus-per-task=1"],
                         outputs: "slurm")
    XCTAssertEqual(submit.status, 0, submit.stderr)
    XCTAssertTrue(submit.stdout.contains("submitted job array"), submit.stdout)
    let runDir = dir.appendingPathComponent("slurm/slurm_mec/default")
    // Wait (bounded) for the array and the collect job: the collect marks the run folder complete.
    let state = waitForCollect(runDir)
    let status = try run(["sweep", "--status", runDir.path], outputs: "slurm")
    XCTAssertEqual(state, "complete", "the sweep did not finish in 240 s:\n\(status.stdout)\n\(jobLogs(runDir))")
    guard state == "complete" else { return }
    for f in ["results.csv", "summary.csv"] {
      XCTAssertEqual(try Data(contentsOf: runDir.appendingPathComponent(f)),
                     try Data(contentsOf: dir.appendingPathComponent("whole/slurm_mec/default/" + f)), f)
    }
    let sweep = try XCTUnwrap(try RunFolder.sweep(runDir))
    XCTAssertEqual(sweep.backend, "slurm")
    XCTAssertEqual(sweep.shardStatus, ["complete", "complete", "complete"])
    XCTAssertNotNil(sweep.submissions.first?.arrayJob)
    XCTAssertNotNil(sweep.submissions.first?.collectJob)
    XCTAssertTrue(status.stdout.contains("shard 2\tcomplete"), status.stdout)
    XCTAssertTrue(status.stdout.contains("run folder: collected"), status.stdout)
  }
}
