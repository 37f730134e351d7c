// A progress line for long loops: on a terminal (stderr is a TTY) one updating line
// "label  step/total  pct  rate/s  ETA  metric", redrawn at most ~10 times a second; completely silent
// when stderr is not a terminal (CI logs, pipes) or when EDGELAB_PROGRESS=0.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public final class ProgressLine {
  public let label: String
  public let total: Int
  public let enabled: Bool
  let sink: (String) -> Void
  let now: () -> Double
  let start: Double
  var lastDraw = -Double.infinity
  public private(set) var drawn = 0
  public static let minInterval = 0.1

  /// - enabled: nil = decide from isatty(2) and EDGELAB_PROGRESS; tests pass a sink and a clock.
  public init(_ label: String, total: Int, enabled: Bool? = nil, sink: ((String) -> Void)? = nil,
              now: (() -> Double)? = nil) {
    self.label = label
    self.total = total
    let env = ProcessInfo.processInfo.environment["EDGELAB_PROGRESS"]
    self.enabled = enabled ?? (isatty(2) == 1 && env != "0")
    self.sink = sink ?? { s in FileHandle.standardError.write(Data(s.utf8)) }
    let clock = now ?? { Date().timeIntervalSinceReferenceDate }
    self.now = clock
    start = clock()
  }

  /// Report that `step` of `total` is done, with an optional named metric. Throttled.
  public func update(_ step: Int, metric: (String, Double)? = nil) {
    guard enabled else { return }
    let t = now()
    if t - lastDraw < ProgressLine.minInterval && step < total { return }
    lastDraw = t
    drawn += 1
    sink("\r\u{1B}[K" + ProgressLine.line(label: label, step: step, total: total, elapsed: t - start, metric: metric))
  }

  /// End the line (a newline after the last redraw).
  public func finish() {
    guard enabled, drawn > 0 else { return }
    sink("\n")
  }

  /// The text of one progress line (pure, tested).
  public static func line(label: String, step: Int, total: Int, elapsed: Double, metric: (String, Double)?) -> String {
    var parts = [label, "\(step)/\(total)"]
    if total > 0 { parts.append(NumberFormat.fixed(100 * Double(step) / Double(total), digits: 0) + "%") }
    let rate = elapsed > 0 ? Double(step) / elapsed : 0
    parts.append(rateText(rate))
    if rate > 0 && total > step { parts.append("ETA " + duration(Double(total - step) / rate)) }
    if let (name, v) = metric { parts.append("\(name)=\(shortNumber(v))") }
    return parts.joined(separator: "  ")
  }

  static func rateText(_ r: Double) -> String {
    if r >= 1e6 { return NumberFormat.fixed(r / 1e6, digits: 2) + "M/s" }
    if r >= 1e3 { return NumberFormat.fixed(r / 1e3, digits: 2) + "k/s" }
    if r >= 1 || r == 0 { return NumberFormat.fixed(r, digits: 1) + "/s" }
    return NumberFormat.fixed(1 / r, digits: 1) + "s/it"
  }

  /// h:mm:ss or m:ss.
  public static func duration(_ s: Double) -> String {
    guard s.isFinite else { return "?" }
    let t = Int(s.rounded())
    let (h, m, sec) = (t / 3600, (t / 60) % 60, t % 60)
    func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
    return h > 0 ? "\(h):\(two(m)):\(two(sec))" : "\(m):\(two(sec))"
  }

  static func shortNumber(_ v: Double) -> String {
    guard v.isFinite else { return NumberFormat.roundTrip(v) }
    let a = Swift.abs(v)
    if a != 0 && (a < 1e-3 || a >= 1e6) {
      let e = Int(floor(log10(a)))
      return NumberFormat.fixed(v / Double("1e\(e)")!, digits: 3) + "e\(e)"
    }
    return NumberFormat.fixed(v, digits: a >= 100 ? 1 : 4)
  }
}
