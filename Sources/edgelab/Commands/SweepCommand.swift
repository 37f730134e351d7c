import ArgumentParser
import EdgeLabLua
import Foundation
import Lab

struct SweepCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sweep", abstract: "Run a script as K shards (local worker processes or a Slurm job array), then collect.",
    discussion: """
      The script iterates its grids with run:grid and starts its summary with run:summary() (see README,
      "Sweeps"). local: K shard processes, at most --jobs at a time, then collect. slurm: one sbatch job array
      (task i runs shard i) and one collect job that starts when every task succeeded (afterok); sbatch options
      come from --slurm-config FILE (or $EDGELAB_SLURM_CONFIG; keys partition, time, cpus, memory, account,
      qos, extra) and --slurm "…" (appended). Failed shards are re-run alone with --only 3,7.
        edgelab sweep --status RUN_DIR   shows each shard's state (sacct/squeue and the shards' manifests).
      """)

  @Argument(help: "The Lua script.") var script: String?
  @Option(help: "Number of shards K.") var shards: Int?
  @Option(help: "local | slurm") var backend: String = "local"
  @Option(help: "Re-run only these shards (comma-separated indices) of an existing sweep.") var only: String?
  @Option(help: "local: worker processes at once (default: the number of cores).") var jobs: Int?
  @Option(parsing: .unconditional, help: ArgumentHelp("slurm: extra sbatch options, e.g. \"--partition=short --time=2:00:00\".", valueName: "options"))
  var slurm: String?
  @Option(name: .customLong("slurm-config"), help: ArgumentHelp("slurm: file of sbatch settings (key = value).", valueName: "file"))
  var slurmConfig: String?
  @Option(help: ArgumentHelp("Show the shards' state of a sweep's run folder instead of starting one.", valueName: "run-dir"))
  var status: String?
  @OptionGroup var options: ScriptOptions
  @Argument(parsing: .postTerminator, help: "Arguments for the script (after --).") var scriptArgs: [String] = []

  func validate() throws {
    if status != nil {
      if script != nil || shards != nil { throw ValidationError("--status RUN_DIR takes no script or --shards") }
      return
    }
    guard script != nil else { throw ValidationError("a script is required (or --status RUN_DIR)") }
    guard let k = shards, k >= 1 else { throw ValidationError("--shards K (K >= 1) is required") }
    guard ["local", "slurm"].contains(backend) else { throw ValidationError("--backend must be local or slurm, got '\(backend)'") }
    if let j = jobs, j < 1 { throw ValidationError("--jobs must be >= 1") }
    if backend == "local" && (slurm != nil || slurmConfig != nil) {
      throw ValidationError("--slurm and --slurm-config need --backend slurm")
    }
    _ = try onlyShards(k)
  }

  func onlyShards(_ k: Int) throws -> [Int]? {
    guard let text = only else { return nil }
    var out: [Int] = []
    for part in text.split(separator: ",") {
      guard let i = Int(part.trimmingCharacters(in: .whitespaces)), i >= 0, i < k else {
        throw ValidationError("--only: '\(part)' is not a shard index in 0…\(k - 1)")
      }
      if !out.contains(i) { out.append(i) }
    }
    guard !out.isEmpty else { throw ValidationError("--only needs at least one shard index") }
    return out.sorted()
  }

  func run() throws {
    if let dir = status {
      try SweepStatus.show(URL(fileURLWithPath: dir).standardizedFileURL)
      return
    }
    let k = shards!
    let scriptPath = URL(fileURLWithPath: script!).standardizedFileURL.path
    let runOptions = options.words + (scriptArgs.isEmpty ? [] : ["--"] + scriptArgs)
    let plan = try Sweep.plan(script: scriptPath, options: options, scriptArgs: scriptArgs)
    let dir = plan.runDir
    let subset = try onlyShards(k)
    var record: SweepRecord
    if let s = subset {
      guard let old = try? RunFolder.sweep(dir) else {
        throw ScriptFailure(text: "edgelab sweep --only: \(dir.path) holds no sweep to re-run shards of (run the whole sweep first)")
      }
      guard old.shards == k, old.options == runOptions, old.script == scriptPath else {
        throw ScriptFailure(text: "edgelab sweep --only: \(dir.path) is a \(old.shards)-shard sweep of \(old.script) with options "
                            + "\(old.options); re-run it with the same script, --shards and options")
      }
      record = old
      record.backend = backend
      for i in s { record.shardStatus[i] = "pending" }
      try Sweep.markRunning(dir)
    } else {
      record = SweepRecord(shards: k, backend: backend, script: scriptPath, options: runOptions)
      try Sweep.prepare(dir, plan: plan.manifest, config: plan.config, record: record)
    }
    let which = subset ?? Array(0..<k)
    print("sweep: \(dir.path): shard\(which.count == 1 ? "" : "s") \(Slurm.arrayList(which)) of \(k), backend \(backend)")
    let exe = Sweep.executable()
    if backend == "local" {
      try SweepLocal(exe: exe, script: scriptPath, options: runOptions, runDir: dir, count: k, shards: which,
                     jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount, record: record).run()
    } else {
      var sbatch: [String] = []
      if let file = slurmConfig ?? ProcessInfo.processInfo.environment["EDGELAB_SLURM_CONFIG"].flatMap({ $0.isEmpty ? nil : $0 }) {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
          throw ScriptFailure(text: "edgelab sweep: cannot read the Slurm config \(file)")
        }
        do { sbatch += try Slurm.options(config: text, file: file) } catch { throw ScriptFailure(text: "edgelab sweep: \(error)") }
      }
      if let s = slurm {
        do { sbatch += try Slurm.words(s) } catch { throw ScriptFailure(text: "edgelab sweep: \(error)") }
      }
      try SweepSlurm(exe: exe, script: scriptPath, options: runOptions, runDir: dir, experiment: plan.experiment,
                     count: k, shards: which, sbatch: sbatch, record: record).submit()
    }
  }
}

/// What a sweep needs before starting shards.
enum Sweep {
  struct Plan {
    let runDir: URL
    let experiment: String
    let manifest: Manifest
    let config: ResolvedConfig
  }

  /// Runs the script with no grid point (stdout silenced) to learn its run folder and check that it
  /// reaches run:summary() — which is also what `collect` will run, so a script that cannot summarise
  /// fails here, before any shard has run.
  static func plan(script: String, options: ScriptOptions, scriptArgs: [String]) throws -> Plan {
    let scratch = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("edgelab-plan-\(getpid())-\(UUID().uuidString.prefix(8))")
    defer { try? FileManager.default.removeItem(at: scratch) }
    let session = try options.session(script: script)
    session.sweepRole = .plan(scratch: scratch)
    fflush(stdout)
    let saved = dup(1)
    let null = open("/dev/null", O_WRONLY)
    if null >= 0 { dup2(null, 1); close(null) }
    defer { fflush(stdout); if saved >= 0 { dup2(saved, 1); close(saved) } }
    do { try CLI.execute(script: script, session: session, scriptArgs: scriptArgs) } catch let f as ScriptFailure {
      throw ScriptFailure(text: f.text + "\n(edgelab sweep runs the script once with no grid point to find its run folder)", signal: f.signal)
    }
    guard session.openedRuns.count == 1, let (dir, run) = session.openedRuns.first else {
      throw ScriptFailure(text: "edgelab sweep: \(script) opens \(session.openedRuns.count) runs (lab.run); a sweep needs exactly one")
    }
    guard run.summaryReached else {
      throw ScriptFailure(text: "edgelab sweep: \(script) never calls run:summary(); a sweep needs it to know where the "
                          + "summary starts: put `if not run:summary() then return end` after the grids (README, Sweeps)")
    }
    return Plan(runDir: dir, experiment: run.experiment, manifest: run.manifest, config: run.config)
  }

  /// A fresh run folder for the sweep: an old run folder is replaced; the manifest records the sweep.
  static func prepare(_ dir: URL, plan: Manifest, config: ResolvedConfig, record: SweepRecord) throws {
    do {
      try Run.replaceFolder(dir)
      try FileManager.default.createDirectory(at: dir.appendingPathComponent("sweep"), withIntermediateDirectories: true)
      var m = plan
      m.started = Date()
      m.ended = nil
      m.status = .running
      m.files = []
      m.args = CommandLine.arguments
      m.sweep = record
      try AtomicFile.write(CanonicalJSON.data(config.json, pretty: true), to: dir.appendingPathComponent("config.json"))
      try AtomicFile.write(CanonicalJSON.data(m.json, pretty: true), to: dir.appendingPathComponent("manifest.json"))
    } catch let e as LabError { throw ScriptFailure(text: "edgelab sweep: \(e.message)") }
  }

  /// --only on a folder that was already collected: it is running again until the next collect.
  static func markRunning(_ dir: URL) throws {
    guard case .object(var o) = try RunFolder.manifest(dir) else { return }
    o["status"] = .string(RunStatus.running.rawValue)
    o["ended"] = .null
    try FileManager.default.createDirectory(at: dir.appendingPathComponent("sweep"), withIntermediateDirectories: true)
    try AtomicFile.write(CanonicalJSON.data(.object(o), pretty: true), to: dir.appendingPathComponent("manifest.json"))
  }

  /// This executable's absolute path (what the shard processes and Slurm jobs run).
  static func executable() -> String {
    if let p = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return p }
    return (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])).standardizedFileURL.path
  }

  /// Each shard's status from its manifest on disk (nil: no manifest).
  static func diskStatus(_ dir: URL, _ i: Int) -> String? {
    (try? RunFolder.manifest(ShardMerge.shardDir(dir, i)))?["status"]?.stringValue
  }

}
