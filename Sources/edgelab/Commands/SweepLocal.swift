import Foundation
import Lab

/// `edgelab sweep --backend local`: the shards as worker processes of this machine (at most `jobs` at a
/// time), one progress line across them, then collect when every shard is complete.
struct SweepLocal {
  let exe: String
  let script: String
  let options: [String]
  let runDir: URL
  let count: Int
  let shards: [Int]
  let jobs: Int
  var record: SweepRecord

  final class Worker {
    let shard: Int
    let process: Process
    let started = Date()
    init(shard: Int, process: Process) { self.shard = shard; self.process = process }
  }

  func launch(_ i: Int) throws -> Worker {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: exe)
    let (words, args) = Slurm.splitOptions(options)
    p.arguments = ["run", script, "--shard", "\(i)/\(count)", "--run-dir", runDir.path] + words
      + (args.isEmpty ? [] : ["--"] + args)
    let log = runDir.appendingPathComponent("sweep/local-\(i).out")
    guard FileManager.default.createFile(atPath: log.path, contents: nil) else {
      throw ScriptFailure(text: "edgelab sweep: cannot create \(log.path)")
    }
    let h = try FileHandle(forWritingTo: log)
    p.standardOutput = h
    p.standardError = h
    p.standardInput = FileHandle.nullDevice
    var env = ProcessInfo.processInfo.environment
    env["EDGELAB_PROGRESS"] = "0"
    p.environment = env
    do { try p.run() } catch { throw ScriptFailure(text: "edgelab sweep: cannot start \(exe): \(error.localizedDescription)") }
    try? h.close()
    return Worker(shard: i, process: p)
  }

  /// Points finished so far by the given shards (their progress.txt files).
  func pointsDone(_ shards: [Int]) -> Int {
    shards.reduce(0) { sum, i in
      let url = ShardMerge.shardDir(runDir, i).appendingPathComponent("progress.txt")
      let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
      return sum + (Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0)
    }
  }

  func run() throws {
    var record = self.record
    var queue = shards
    var running: [Worker] = []
    var finished: [Int] = []
    let width = min(jobs, shards.count)
    let progress = ProgressLine("sweep \(shards.count) shard\(shards.count == 1 ? "" : "s") × \(width) worker\(width == 1 ? "" : "s")",
                                total: shards.count)
    let start = Date()
    while !queue.isEmpty || !running.isEmpty {
      while running.count < width, !queue.isEmpty {
        let i = queue.removeFirst()
        running.append(try launch(i))
        record.shardStatus[i] = "running"
      }
      Thread.sleep(forTimeInterval: 0.1)
      for w in running where !w.process.isRunning {
        w.process.waitUntilExit()
        let disk = Sweep.diskStatus(runDir, w.shard)
        let status = w.process.terminationStatus == 0 && disk == "complete" ? "complete" : (disk == "running" || disk == nil ? "failed" : disk!)
        record.shardStatus[w.shard] = status
        finished.append(w.shard)
        if !progress.enabled {
          print("sweep: shard \(w.shard) \(status) (" + ProgressLine.duration(Date().timeIntervalSince(w.started)) + ")")
        }
        try? RunFolder.updateSweep(runDir, record)
      }
      running.removeAll { !$0.process.isRunning }
      progress.update(finished.count, metric: ("points", Double(pointsDone(shards))))
    }
    progress.finish()
    record.submissions.append(.init(shards: shards, submitted: start))
    try RunFolder.updateSweep(runDir, record)
    let failed = shards.filter { record.shardStatus[$0] != "complete" }
    if !failed.isEmpty {
      let logs = failed.map { "  shard \($0): \(record.shardStatus[$0]) — see \(runDir.path)/sweep/local-\($0).out" }
      throw ScriptFailure(text: "edgelab sweep: \(failed.count) of \(shards.count) shards did not complete:\n" + logs.joined(separator: "\n")
                          + "\nre-run only those: " + record.rerunCommand(failed))
    }
    print("sweep: \(shards.count) shard\(shards.count == 1 ? "" : "s") complete in " + ProgressLine.duration(Date().timeIntervalSince(start))
          + "; collecting")
    try Collect.run(runDir)
  }
}
