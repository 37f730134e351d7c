// Typed errors of the Evaluation module. Data problems always tell the user how to fix them.

public enum EvaluationError: Error, CustomStringConvertible, Equatable {
  /// A data file is absent.
  case missingData(path: String)
  /// A BIG-bench task's file is absent: the message names the exact `edgelab fetch bigbench --tasks` command.
  case missingTask(task: String, path: String)
  /// A data file exists but cannot be parsed.
  case corruptData(path: String, detail: String)
  /// An argument or configuration value is out of range.
  case invalidArgument(String)
  /// The model failed while scoring.
  case model(String)

  public static let fetchHint = "run `edgelab fetch` to download and verify the evaluation data sets"

  public var description: String {
    switch self {
    case .missingData(let p):
      return "evaluation data file '\(p)' is missing: \(EvaluationError.fetchHint)"
    case .missingTask(let t, let p):
      let top = t.split(separator: "/").first.map(String.init) ?? t
      return "BIG-bench task '\(t)' is not downloaded ('\(p)' is missing): run `edgelab fetch bigbench --tasks \(top)`"
    case .corruptData(let p, let d):
      return "evaluation data file '\(p)' is corrupt (\(d)): \(EvaluationError.fetchHint) again"
    case .invalidArgument(let m): return "invalid argument: \(m)"
    case .model(let m): return "model error: \(m)"
    }
  }
}
