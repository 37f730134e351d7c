// Lab errors: every failure in run folders, writers and figures is one of these, with a readable message.
import Foundation

public enum LabError: Error, CustomStringConvertible, Equatable {
  case io(String)                       // file-system failure (path + reason)
  case closed(String)                   // write to a writer that was already closed
  case columnCount(file: String, expected: Int, got: Int)
  case unknownColumn(file: String, column: String)
  case unknownConfigKey(String)         // --set names a key the script did not declare
  case invalidName(String)              // experiment or file name that is empty, absolute or escapes the run dir
  case invalidPlot(String)              // bad plot specification or data
  case csvParse(file: String, line: Int, reason: String)

  /// The description without the "i/o error: " prefix (for messages that already say what failed).
  public var message: String {
    if case .io(let m) = self { return m }
    return description
  }

  public var description: String {
    switch self {
    case .io(let m): return "i/o error: \(m)"
    case .closed(let f): return "writer for '\(f)' is already closed"
    case .columnCount(let f, let e, let g): return "\(f): row has \(g) values, expected \(e) (one per column)"
    case .unknownColumn(let f, let c): return "\(f): unknown column '\(c)'"
    case .unknownConfigKey(let k): return "unknown config key '\(k)' (not declared in lab.config defaults)"
    case .invalidName(let m): return "invalid name: \(m)"
    case .invalidPlot(let m): return "plot: \(m)"
    case .csvParse(let f, let l, let r): return "\(f):\(l): CSV parse error: \(r)"
    }
  }
}
