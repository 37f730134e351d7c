import Foundation
import Lab

/// A command run to completion with its output captured (sbatch, squeue, sacct, scancel).
enum Command {
  struct Result { let status: Int32; let stdout: String; let stderr: String }

  static func run(_ args: [String]) -> Result? {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = args
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = FileHandle.nullDevice
    do { try p.run() } catch { return nil }
    final class Box: @unchecked Sendable { var data = Data() }
    let errBox = Box()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async { errBox.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    p.waitUntilExit()
    return Result(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                  stderr: String(decoding: errBox.data, as: UTF8.self))
  }

  /// Whether `name` is an executable on PATH.
  static func exists(_ name: String) -> Bool {
    (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").contains {
      FileManager.default.isExecutableFile(atPath: "\($0)/\(name)")
    }
  }
}

/// `edgelab sweep --backend slurm`: one job array (task i = shard i) and a collect job after it (afterok).
struct SweepSlurm {
  let exe: String
  let script: String
  let options: [String]
  let runDir: URL
  let experiment: String
  let count: Int
  let shards: [Int]
  let sbatch: [String]
  var record: SweepRecord

  func submit() throws {
    guard Command.exists("sbatch") else {
      throw ScriptFailure(text: "edgelab sweep: sbatch not found on PATH (is this a Slurm login node? scripts/slurm-local.sh starts a one-node Slurm)")
    }
    var record = self.record
    let work = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    let sweepDir = runDir.appendingPathComponent("sweep")
    let arrayFile = sweepDir.appendingPathComponent("array.sh")
    let collectFile = sweepDir.appendingPathComponent("collect.sh")
    do {
      try AtomicFile.write(Slurm.arrayScript(name: experiment, array: Slurm.arrayList(shards), count: count, runDir: runDir,
                                             workDir: work, executable: exe, script: script, options: options), to: arrayFile)
      try AtomicFile.write(Slurm.collectScript(name: experiment, runDir: runDir, workDir: work, executable: exe), to: collectFile)
    } catch { throw ScriptFailure(text: "edgelab sweep: \(error)") }
    // A collect job still waiting on an earlier submission would collect too early or never: cancel it.
    if let old = record.submissions.last?.collectJob { _ = Command.run(["scancel", old]) }
    let array = try sbatchSubmit(sbatch + [arrayFile.path], what: "the shard array")
    for i in shards { record.shardStatus[i] = "pending" }
    var submission = SweepRecord.Submission(shards: shards, arrayJob: array, submitted: Date())
    record.submissions.append(submission)
    try RunFolder.updateSweep(runDir, record)
    let collect = try sbatchSubmit(sbatch + ["--dependency=afterok:\(array)", "--kill-on-invalid-dep=yes", collectFile.path],
                                   what: "the collect job (the array \(array) is submitted; collect by hand with `edgelab collect \(runDir.path)`)")
    submission.collectJob = collect
    record.submissions[record.submissions.count - 1] = submission
    try RunFolder.updateSweep(runDir, record)
    print("sweep: submitted job array \(array) (shards \(Slurm.arrayList(shards))) and collect job \(collect) (after the array succeeds)")
    print("sweep: follow it with `edgelab sweep --status \(runDir.path)`; job output in \(sweepDir.path)")
  }

  func sbatchSubmit(_ args: [String], what: String) throws -> String {
    guard let r = Command.run(["sbatch", "--parsable"] + args) else {
      throw ScriptFailure(text: "edgelab sweep: cannot run sbatch")
    }
    guard r.status == 0, let id = Slurm.parseJobID(r.stdout) else {
      throw ScriptFailure(text: "edgelab sweep: sbatch failed to submit \(what) (exit \(r.status)): "
                          + (r.stderr + r.stdout).trimmingCharacters(in: .whitespacesAndNewlines))
    }
    return id
  }
}

/// `edgelab sweep --status RUN_DIR`.
enum SweepStatus {
  static func show(_ dir: URL) throws {
    let record: SweepRecord
    do {
      guard let r = try RunFolder.sweep(dir) else { throw ScriptFailure(text: "edgelab sweep --status: \(dir.path) is not a sweep's run folder") }
      record = r
    } catch let e as LabError { throw ScriptFailure(text: "edgelab sweep --status: \(e.message)") }
    var updated = record
    var jobStates: [String: String] = [:]
    var notes: [String] = []
    let jobs = Array(Set(record.submissions.flatMap { [$0.arrayJob, $0.collectJob].compactMap { $0 } })).sorted()
    if record.backend == "slurm" && !jobs.isEmpty {
      let list = jobs.joined(separator: ",")
      if let r = Command.run(["sacct", "-n", "-P", "-X", "-j", list, "-o", "JobID,State"]), r.status == 0 {
        jobStates.merge(Slurm.states(r.stdout)) { $1 }
      } else {
        notes.append("sacct unavailable (no accounting storage?): finished tasks are judged from their manifests")
      }
      if let r = Command.run(["squeue", "-h", "-r", "--states=all", "-j", list, "-o", "%i|%T"]), r.status == 0 {
        jobStates.merge(Slurm.states(r.stdout)) { $1 }
      } else {
        notes.append("squeue failed: queued and running tasks cannot be seen")
      }
    }
    print("sweep \(dir.path): \(record.shards) shards, backend \(record.backend)")
    for i in 0..<record.shards {
      let disk = Sweep.diskStatus(dir, i)
      let sub = record.submission(of: i)
      let task = sub?.arrayJob.map { "\($0)_\(i)" }
      let status: String
      if record.backend == "slurm" {
        status = sub == nil ? (disk == "complete" ? "complete" : "missing") : Slurm.shardStatus(disk: disk, slurm: task.flatMap { jobStates[$0] })
      } else {
        status = disk == "complete" ? "complete" : (disk ?? "missing")
      }
      updated.shardStatus[i] = status
      print("  shard \(i)\t\(status)" + (task.map { "\tjob \($0)" } ?? ""))
    }
    if let c = record.submissions.last?.collectJob {
      print("  collect\t\(jobStates[c].map { $0.lowercased() } ?? "not in the queue")\tjob \(c)")
    }
    let top = (try? RunFolder.manifest(dir))?["status"]?.stringValue ?? "unknown"
    print("  run folder: \(top == "complete" ? "collected" : top)")
    for n in notes { print("  note: \(n)") }
    let failed = (0..<record.shards).filter { Slurm.needsRerun(updated.shardStatus[$0]) }
    if !failed.isEmpty {
      print("  shards to re-run: \(failed.map(String.init).joined(separator: ", ")) — " + record.rerunCommand(failed))
    }
    if top != "complete" && updated != record { try? RunFolder.updateSweep(dir, updated) }
  }
}
