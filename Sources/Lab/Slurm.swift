// The Slurm side of `edgelab sweep --backend slurm` that needs no cluster (docs/decisions/0301-sweep-backends.md):
// sbatch options from a config file or an option string, the job scripts (one job array of K shard tasks and
// one collect job), and reading squeue/sacct output into per-shard states.
import Foundation

public enum Slurm {
  // MARK: Options

  /// Splits an option string as a POSIX shell would split plain words: whitespace separates, single quotes
  /// keep text literally, double quotes keep text with \" and \\ escapes, a backslash escapes one character.
  public static func words(_ text: String) throws -> [String] {
    var out: [String] = []
    var cur = "", inWord = false
    var it = text.makeIterator()
    while let c = it.next() {
      switch c {
      case " ", "\t", "\n":
        if inWord { out.append(cur); cur = ""; inWord = false }
      case "'":
        inWord = true
        var closed = false
        while let d = it.next() { if d == "'" { closed = true; break }; cur.append(d) }
        if !closed { throw LabError.invalidName("unterminated ' in slurm options: \(text)") }
      case "\"":
        inWord = true
        var closed = false
        while let d = it.next() {
          if d == "\"" { closed = true; break }
          if d == "\\", let e = it.next() {
            if e != "\"" && e != "\\" { cur.append("\\") }
            cur.append(e)
          } else { cur.append(d) }
        }
        if !closed { throw LabError.invalidName("unterminated \" in slurm options: \(text)") }
      case "\\":
        inWord = true
        if let e = it.next() { cur.append(e) }
      default:
        inWord = true
        cur.append(c)
      }
    }
    if inWord { out.append(cur) }
    return out
  }

  /// Keys of a sweep's Slurm config file and the sbatch option each becomes.
  public static let configKeys: [(key: String, option: String)] = [
    ("partition", "--partition"), ("time", "--time"), ("cpus", "--cpus-per-task"), ("memory", "--mem"),
    ("account", "--account"), ("qos", "--qos"),
  ]

  /// sbatch options from a config file: `key = value` lines (partition, time, cpus, memory, account, qos;
  /// `extra = <more sbatch options>`), `#` comments. Unknown keys are an error.
  public static func options(config text: String, file: String) throws -> [String] {
    var out: [String] = []
    for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
      let t = line.trimmingCharacters(in: .whitespaces)
      if t.isEmpty { continue }
      guard let eq = t.firstIndex(of: "=") else { throw LabError.invalidName("\(file):\(n + 1): expected key = value") }
      let key = t[..<eq].trimmingCharacters(in: .whitespaces)
      let value = t[t.index(after: eq)...].trimmingCharacters(in: .whitespaces)
      if key == "extra" { out += try words(value); continue }
      guard let opt = configKeys.first(where: { $0.key == key })?.option else {
        let known = (configKeys.map(\.key) + ["extra"]).joined(separator: ", ")
        throw LabError.invalidName("\(file):\(n + 1): unknown key '\(key)' (known: \(known))")
      }
      guard !value.isEmpty else { throw LabError.invalidName("\(file):\(n + 1): '\(key)' has no value") }
      out.append("\(opt)=\(value)")
    }
    return out
  }

  // MARK: Job scripts

  /// The array job: task $SLURM_ARRAY_TASK_ID runs that shard. `array` is the --array list ("0-7", "3,7").
  public static func arrayScript(name: String, array: String, count: Int, runDir: URL, workDir: URL,
                                 executable: String, script: String, options: [String]) -> String {
    let (words, args) = splitOptions(options)
    let tail = (["--run-dir", runDir.path] + words + (args.isEmpty ? [] : ["--"] + args)).map(Report.shellQuote)
    return """
    #!/bin/sh
    # edgelab sweep: shards of \(runDir.path) (\(count) in all); task i runs `edgelab run … --shard i/\(count)`.
    #SBATCH --job-name=\(jobName(name))
    #SBATCH --array=\(array)
    #SBATCH --output=\(runDir.path)/sweep/slurm-%A_%a.out
    #SBATCH --chdir=\(workDir.path)
    exec \(Report.shellQuote(executable)) run \(Report.shellQuote(script)) --shard "${SLURM_ARRAY_TASK_ID}/\(count)" \(tail.joined(separator: " "))

    """
  }

  /// Run options and the script arguments after "--".
  public static func splitOptions(_ options: [String]) -> ([String], [String]) {
    guard let i = options.firstIndex(of: "--") else { return (options, []) }
    return (Array(options[..<i]), Array(options[(i + 1)...]))
  }

  /// The collect job (submitted with --dependency=afterok:<array job>).
  public static func collectScript(name: String, runDir: URL, workDir: URL, executable: String) -> String {
    """
    #!/bin/sh
    # edgelab sweep: merges the shards of \(runDir.path) and runs the script's summary.
    #SBATCH --job-name=\(jobName(name))-collect
    #SBATCH --output=\(runDir.path)/sweep/slurm-collect-%j.out
    #SBATCH --chdir=\(workDir.path)
    exec \(Report.shellQuote(executable)) collect \(Report.shellQuote(runDir.path))

    """
  }

  /// "edgelab-" + the experiment name with anything but [A-Za-z0-9._-] replaced by "_".
  static func jobName(_ experiment: String) -> String {
    "edgelab-" + String(experiment.unicodeScalars.map { u -> Character in
      switch u {
      case "a"..."z", "A"..."Z", "0"..."9", ".", "_", "-": return Character(u)
      default: return "_"
      }
    })
  }

  /// The --array list of a set of shard indices: "0-7" when contiguous, else "1,3,7".
  public static func arrayList(_ shards: [Int]) -> String {
    let s = shards.sorted()
    guard let first = s.first, let last = s.last else { return "" }
    if last - first + 1 == s.count { return first == last ? "\(first)" : "\(first)-\(last)" }
    return s.map(String.init).joined(separator: ",")
  }

  /// The job id printed by `sbatch --parsable` ("123" or "123;cluster").
  public static func parseJobID(_ output: String) -> String? {
    let t = output.trimmingCharacters(in: .whitespacesAndNewlines)
    guard let id = t.split(separator: ";").first.map(String.init), !id.isEmpty,
          id.allSatisfy({ $0.isNumber }) else { return nil }
    return id
  }

  // MARK: Job states

  /// States of jobs and array tasks from `squeue -h -r -o "%i|%T"` or `sacct -n -P -X -o JobID,State`
  /// lines ("123_4|RUNNING", "124|PENDING", "123_5|CANCELLED by 0"): job id (with _task) → state word.
  /// A pending array still shown compressed ("123_[5-7]|PENDING") is expanded.
  public static func states(_ output: String) -> [String: String] {
    var out: [String: String] = [:]
    for line in output.split(separator: "\n") {
      let f = line.split(separator: "|", omittingEmptySubsequences: false)
      guard f.count >= 2 else { continue }
      let id = f[0].trimmingCharacters(in: .whitespaces)
      let state = f[1].split(separator: " ").first.map(String.init) ?? ""
      if state.isEmpty { continue }
      if let open = id.firstIndex(of: "["), id.hasSuffix("]") {
        let job = id[..<open].dropLast()   // drop "_"
        let body = id[id.index(after: open)..<id.index(before: id.endIndex)]
        let list = body.split(separator: "%").first ?? ""
        for part in list.split(separator: ",") {
          let ends = part.split(separator: "-").compactMap { Int($0) }
          guard let a = ends.first, let b = ends.last, a <= b else { continue }
          for i in a...b { out["\(job)_\(i)"] = state }
        }
      } else {
        out[id] = state
      }
    }
    return out
  }

  /// A shard's status from what is on disk (its manifest's status, nil when it has none) and the state
  /// Slurm reports for its array task (nil when Slurm no longer knows the task).
  public static func shardStatus(disk: String?, slurm: String?) -> String {
    if disk == "complete" { return "complete" }
    switch slurm {
    case "PENDING", "CONFIGURING", "REQUEUED", "RESV_DEL_HOLD", "REQUEUE_HOLD", "SUSPENDED": return "pending"
    case "RUNNING", "COMPLETING", "STAGE_OUT", "SIGNALING", "RESIZING": return "running"
    case "CANCELLED", "REVOKED", "DEADLINE", "PREEMPTED": return "cancelled"
    case "TIMEOUT": return "timeout"
    case "OUT_OF_MEMORY": return "out_of_memory"
    case "FAILED", "NODE_FAIL", "BOOT_FAIL", "SPECIAL_EXIT": return "failed"
    default: break
    }
    switch disk {
    case "failed", "interrupted": return disk!
    case "running": return "lost"       // started, no longer running, never finished (killed)
    default: return slurm == "COMPLETED" ? "failed" : "missing"
    }
  }

  /// Statuses after which a shard needs re-running.
  public static func needsRerun(_ status: String) -> Bool {
    !["complete", "pending", "running"].contains(status)
  }
}
