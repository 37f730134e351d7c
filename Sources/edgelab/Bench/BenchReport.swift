import Foundation

/// Collects a suite's measurements and writes them as JSON (sorted keys) to outputs/bench/<suite>.json,
/// together with what the machine was doing (/proc/loadavg before and after, CPU count, build).
final class BenchReport {
  let suite: String
  let outputDir: URL
  /// `--quick`: suites should shrink their sizes (for smoke checks).
  let quick: Bool
  /// `--compare-llamacpp`: the llama-bench executable (a path or a name on PATH) to compare against, else nil.
  let llamaBench: String?
  private(set) var results: [[String: Any]] = []
  private var info: [String: Any] = [:]
  let loadBefore: [Double]
  let started = Date()

  init(suite: String, outputDir: URL, quick: Bool, llamaBench: String? = nil) {
    self.suite = suite
    self.outputDir = outputDir
    self.quick = quick
    self.llamaBench = llamaBench
    loadBefore = BenchReport.loadavg()
  }

  /// Records one number. `target` is the goal (same unit); `lowerIsBetter` says which side passes.
  func record(_ name: String, _ value: Double, unit: String, target: Double? = nil, lowerIsBetter: Bool = true,
              extra: [String: Any] = [:]) {
    var r: [String: Any] = ["name": name, "value": value, "unit": unit]
    if let t = target {
      r["target"] = t
      r["meets_target"] = lowerIsBetter ? value <= t : value >= t
    }
    for (k, v) in extra { r[k] = v }
    results.append(r)
    var line = "  " + name.padding(toLength: max(44, name.count), withPad: " ", startingAt: 0)
      + String(format: " %12.3f ", value) + unit
    if let t = target {
      line += "   (target \(lowerIsBetter ? "<=" : ">=") \(t): \((r["meets_target"] as! Bool) ? "ok" : "MISSED"))"
    }
    print(line)
  }

  /// Free-form context (sizes, thread counts, reference names).
  func note(_ key: String, _ value: Any) { info[key] = value }

  /// 1, 5 and 15 minute load averages (empty when /proc/loadavg is unreadable).
  static func loadavg() -> [Double] {
    guard let s = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return [] }
    return s.split(separator: " ").prefix(3).compactMap { Double($0) }
  }

  @discardableResult
  func write() throws -> URL {
    #if DEBUG
    let build = "debug"
    #else
    let build = "release"
    #endif
    let doc: [String: Any] = [
      "suite": suite,
      "date": ISO8601DateFormatter().string(from: started),
      "seconds": Date().timeIntervalSince(started),
      "build": build,
      "quick": quick,
      "machine": [
        "cpus": ProcessInfo.processInfo.activeProcessorCount,
        "loadavg_before": loadBefore,
        "loadavg_after": BenchReport.loadavg(),
        "os": ProcessInfo.processInfo.operatingSystemVersionString,
      ] as [String: Any],
      "info": info,
      "results": results,
    ]
    try FileManager.default.createDirectory(at: outputDir, withIntermediateDirectories: true)
    let url = outputDir.appendingPathComponent("\(suite).json")
    let data = try JSONSerialization.data(withJSONObject: doc, options: [.prettyPrinted, .sortedKeys])
    let tmp = url.appendingPathExtension("tmp")
    try data.write(to: tmp)
    // replaceItemAt needs an existing target on Linux (corelibs Foundation): rename over it instead.
    if rename(tmp.path, url.path) != 0 { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path]) }
    return url
  }

  /// Times `body` `repeats` times after `warmup` runs; returns the median and the minimum in seconds.
  static func time(repeats: Int = 5, warmup: Int = 1, _ body: () throws -> Void) rethrows -> (median: Double, min: Double) {
    for _ in 0..<warmup { try body() }
    var ts: [Double] = []
    for _ in 0..<max(1, repeats) {
      let t0 = DispatchTime.now().uptimeNanoseconds
      try body()
      ts.append(Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9)
    }
    ts.sort()
    return (ts[ts.count / 2], ts[0])
  }
}
