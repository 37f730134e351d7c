// report.md: status banner, configuration table, then the run's notes, figures (SVG embedded as images)
// and tables (rendered from the run's CSV files) in the order the script added them. Rewritten atomically
// whenever something is added and at the end, so it always describes what exists.
import Foundation

enum ReportItem {
  case note(String)
  case figure(file: String, title: String)
  case table(name: String, file: String)
}

public enum Report {
  public static let maxTableRows = 50

  static func markdown(_ run: Run) -> String {
    let m = run.manifest
    var s = "# \(run.experiment)\n\n"
    var facts = ["**Status:** \(m.status.rawValue)", "config `\(m.configID)`"]
    if m.smoke { facts.append("smoke profile") }
    if m.seed != .null { facts.append("seed \(m.seed.plainText)") }
    facts.append("started \(Manifest.iso(m.started))")
    if let e = m.ended { facts.append("ended \(Manifest.iso(e))") }
    if let c = m.gitCommit { facts.append("commit `\(c.prefix(12))`" + (m.gitDirty == true ? " (dirty)" : "")) }
    s += facts.joined(separator: " · ") + "\n\n"
    if !m.args.isEmpty { s += "Command: `" + command(m.args) + "`\n\n" }
    switch m.status {
    case .failed: s += "> **The run failed**: \(m.error ?? "unknown error"). What it finished is kept below.\n\n"
    case .interrupted: s += "> **The run was interrupted**\(m.error.map { " (\($0))" } ?? ""). What it finished is kept below.\n\n"
    case .killed: s += "> **The run was killed** before it could finish\(m.error.map { " (\($0))" } ?? "").\n\n"
    case .running: s += "> The run is still in progress (or ended without recording a status).\n\n"
    case .complete: break
    }
    s += "## Configuration\n\n| key | value |\n|---|---|\n"
    let nonDefault = Set(run.config.nonDefaultKeys)
    for k in run.config.values.keys.sorted(by: utf8Less) {
      let mark = nonDefault.contains(k) ? " (default \(run.config.defaults[k]?.plainText ?? "none"))" : ""
      s += "| \(cell(k)) | \(cell(run.config.values[k]!.plainText))\(cell(mark)) |\n"
    }
    for item in run.items {
      switch item {
      case .note(let text): s += "\n" + text + "\n"
      case .figure(let file, let title): s += "\n### \(title)\n\n![\(title)](\(file))\n"
      case .table(let name, let file):
        s += "\n### \(name)\n\n"
        do { s += markdownTable(try run.readCSV(file)) + "\n[\(file)](\(file))\n" } catch {
          s += "_(table \(file) unavailable: \(error))_\n"
        }
      }
    }
    return s
  }

  /// The command line that produced the run, as a shell command (program shown as its base name).
  static func command(_ args: [String]) -> String {
    let program = args.first.map { URL(fileURLWithPath: $0).lastPathComponent } ?? ""
    return ([program] + args.dropFirst().map(shellQuote)).joined(separator: " ")
  }

  /// POSIX shell quoting: safe words as they are, anything else in single quotes ('\'' for a quote).
  public static func shellQuote(_ a: String) -> String {
    let safe = a.unicodeScalars.allSatisfy { u in
      switch u {
      case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".", "/", "=", ",", "+", ":", "@", "%": return true
      default: return false
      }
    }
    return safe && !a.isEmpty ? a : "'" + a.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
  }

  static func cell(_ text: String) -> String {
    text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\r\n", with: " ")
      .replacingOccurrences(of: "\n", with: " ")
  }

  /// A markdown table of a CSV (at most `maxTableRows` rows, then a count of the rest). Numbers are shown
  /// for people: a column `x` with companions `x_lo` and `x_hi` becomes one column "x [95% CI]" printed as
  /// "mean [lo, hi]" at the interval's precision (two significant digits of its width); other numbers get
  /// four significant digits (NumberFormat.display). The CSV keeps every digit.
  public static func markdownTable(_ t: CSVTable) -> String {
    let cols = t.columns
    var merged: [String: (lo: Int, hi: Int)] = [:]
    var hidden = Set<Int>()
    for (i, c) in cols.enumerated() {
      if let lo = cols.firstIndex(of: c + "_lo"), let hi = cols.firstIndex(of: c + "_hi") {
        merged[c] = (lo, hi); hidden.insert(lo); hidden.insert(hi); _ = i
      }
    }
    let shown = cols.indices.filter { !hidden.contains($0) }
    var s = "| " + shown.map { merged[cols[$0]] != nil ? cell(cols[$0]) + " [95% CI]" : cell(cols[$0]) }.joined(separator: " | ") + " |\n"
    s += "|" + String(repeating: "---|", count: shown.count) + "\n"
    for r in t.rows.prefix(maxTableRows) {
      let cells = shown.map { i -> String in
        let raw = i < r.count ? r[i] : ""
        if let (lo, hi) = merged[cols[i]], let m = number(raw), let l = number(lo < r.count ? r[lo] : ""),
           let h = number(hi < r.count ? r[hi] : ""), m.isFinite, l.isFinite, h.isFinite {
          return NumberFormat.interval(m, lo: l, hi: h)
        }
        return number(raw).map { NumberFormat.display($0) } ?? cell(raw)
      }
      s += "| " + cells.joined(separator: " | ") + " |\n"
    }
    if t.rows.count > maxTableRows { s += "\n_… \(t.rows.count - maxTableRows) more rows in the CSV file._\n" }
    return s
  }

  /// The number a CSV cell holds (plain decimal or exponent text), nil for anything else.
  static func number(_ text: String) -> Double? {
    let t = text.trimmingCharacters(in: .whitespaces)
    guard !t.isEmpty, t.unicodeScalars.allSatisfy({ "0123456789.eE+-".unicodeScalars.contains($0) }) else { return nil }
    return Double(t)
  }
}
