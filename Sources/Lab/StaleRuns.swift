// Runs killed without a chance to finish (SIGKILL, OOM killer, power loss) leave manifest.json at "running"
// and their writers' `.partial` files behind. The next `Run` of the same experiment recognises them: a
// manifest still "running" whose process (manifest "pid") no longer exists is rewritten with status
// "killed", the partial files it left are listed in it ("partial_files"), and the caller is told so.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum StaleRuns {
  /// Marks every stale run folder directly under `experimentDir` as killed; returns one line per folder
  /// ("<dir>: killed while running (pid N); partial files kept: a.csv.partial").
  @discardableResult
  public static func recover(in experimentDir: URL) -> [String] {
    let fm = FileManager.default
    guard let entries = try? fm.contentsOfDirectory(atPath: experimentDir.path) else { return [] }
    var notes: [String] = []
    for e in entries.sorted() {
      let dir = experimentDir.appendingPathComponent(e)
      if let note = recoverOne(dir) { notes.append(note) }
    }
    return notes
  }

  /// One run folder: nil when it is not a stale run.
  static func recoverOne(_ dir: URL) -> String? {
    let url = dir.appendingPathComponent("manifest.json")
    guard let data = try? Data(contentsOf: url),
          var m = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
          m["status"] as? String == RunStatus.running.rawValue else { return nil }
    let pid = (m["pid"] as? NSNumber)?.int32Value
    if let p = pid, isAlive(p) { return nil }   // still running in another process
    let partial = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
      .filter { $0.hasSuffix(".partial") }.sorted()
    m["status"] = RunStatus.killed.rawValue
    m["error"] = "the process\(pid.map { " (pid \($0))" } ?? "") ended without finishing the run (killed, e.g. SIGKILL or out of memory)"
    m["partial_files"] = partial
    if let out = try? JSONSerialization.data(withJSONObject: m, options: [.prettyPrinted, .sortedKeys]) {
      try? AtomicFile.write(out, to: url)
    }
    return "\(dir.path): killed while running\(pid.map { " (pid \($0))" } ?? "")"
      + (partial.isEmpty ? "" : "; partial files kept: " + partial.joined(separator: ", "))
  }

  /// kill(pid, 0): the process exists (EPERM: exists, owned by someone else).
  static func isAlive(_ pid: Int32) -> Bool {
    guard pid > 0 else { return false }
    return kill(pid, 0) == 0 || errno == EPERM
  }
}
