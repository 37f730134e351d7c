// The measured half of "energy per query": run the query shape on this host and time it.
// Energy on this host = CPU time (user + sys, all threads of the process) × watts per busy core (a stated
// assumption), or — when /sys/class/powercap/*/energy_uj is readable — the RAPL package energy delta
// (µJ counter; wraps at max_energy_range_uj). RAPL counts the whole package, other processes included.
import Foundation
import TensorCore

public struct HostMeasurement: Sendable, Equatable, Codable {
  public var promptTokens: Int
  public var outputTokens: Int
  public var prefillSeconds: Double
  public var decodeSeconds: Double
  /// Process CPU seconds over prefill + decode.
  public var cpuSeconds: Double
  /// cpuSeconds × wattsPerCore.
  public var cpuTimeJoules: Double
  public var wattsPerCore: Double
  /// RAPL package energy over the same interval, when readable.
  public var raplJoules: Double?
  /// /proc/loadavg (1 min) seen before the measurement.
  public var loadAverage: Double?
  public var decodeTokensPerSecond: Double { decodeSeconds > 0 ? Double(outputTokens) / decodeSeconds : 0 }
  public var wallSeconds: Double { prefillSeconds + decodeSeconds }
}

public enum Host {
  /// Process CPU time (user + system) in seconds.
  public static func cpuSeconds() -> Double {
    var u = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u)
    return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) * 1e-6
      + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) * 1e-6
  }

  /// Monotonic wall clock in seconds.
  public static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }

  /// 1-minute load average, if /proc/loadavg is readable.
  public static func loadAverage() -> Double? {
    guard let s = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return nil }
    return s.split(separator: " ").first.flatMap { Double($0) }
  }

  /// Readable RAPL package domains: (energy_uj path, max_energy_range_uj).
  static func raplDomains() -> [(String, Double)] {
    let root = "/sys/class/powercap"
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: root) else { return [] }
    return names.sorted().compactMap { n in
      // top-level package domains only (intel-rapl:0, not intel-rapl:0:0 subdomains)
      guard n.filter({ $0 == ":" }).count == 1 else { return nil }
      let e = "\(root)/\(n)/energy_uj"
      guard readDouble(e) != nil else { return nil }
      return (e, readDouble("\(root)/\(n)/max_energy_range_uj") ?? 0)
    }
  }

  static func readDouble(_ path: String) -> Double? {
    guard let s = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
    return Double(s.trimmingCharacters(in: .whitespacesAndNewlines))
  }

  /// Runs a `promptTokens` prefill of `prompt` then `outputTokens` greedy decode steps, timing both.
  public static func measure(model: ScoringModel, prompt: [Int32], outputTokens: Int,
                             wattsPerCore: Double) throws -> HostMeasurement {
    guard !prompt.isEmpty else { throw EvaluationError.invalidArgument("host measurement needs a non-empty prompt") }
    guard prompt.count + outputTokens <= model.maxSequence else {
      throw EvaluationError.invalidArgument("query of \(prompt.count + outputTokens) tokens exceeds the model's \(model.maxSequence)")
    }
    let session = try model.makeSession()
    let load = loadAverage()
    let rapl = raplDomains()
    let e0 = rapl.map { readDouble($0.0) ?? 0 }
    let c0 = cpuSeconds(), t0 = now()
    var logits = try session.append(prompt, lastOnly: true)
    let t1 = now()
    let v = model.vocabSize
    var row = 0
    for _ in 0..<outputTokens {
      try Cancellation.check()
      var best = 0
      logits.withUnsafeBufferPointer { b in
        for i in 1..<v where b[row + i] > b[row + best] { best = i }
      }
      logits = try session.append([Int32(best)], lastOnly: true)
    }
    let t2 = now(), c1 = cpuSeconds()
    var raplJ: Double? = nil
    if !rapl.isEmpty {
      var total = 0.0
      for (k, d) in rapl.enumerated() {
        var delta = (readDouble(d.0) ?? e0[k]) - e0[k]
        if delta < 0 { delta += d.1 }  // counter wrapped
        total += delta
      }
      raplJ = total * 1e-6
    }
    let cpu = c1 - c0
    return HostMeasurement(promptTokens: prompt.count, outputTokens: outputTokens, prefillSeconds: t1 - t0,
                           decodeSeconds: t2 - t1, cpuSeconds: cpu, cpuTimeJoules: cpu * wattsPerCore,
                           wattsPerCore: wattsPerCore, raplJoules: raplJ, loadAverage: load)
  }
}
