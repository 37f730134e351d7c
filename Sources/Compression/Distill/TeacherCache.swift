// Cached top-k teacher distributions: the teacher runs once per training window; for every position we keep
// the k most probable tokens of softmax(z/T) and their log-probabilities renormalised over those k
// (log p̃_j = log p_j − log Σ_{i∈topk} p_i). Memory: windows · length · k · 8 bytes.
import Foundation
import LLM

public struct TeacherCache: Sendable {
  public let k: Int
  public let temperature: Float
  public let windows: [[Int32]]
  /// Per window: [length × k] token ids and renormalised log-probabilities.
  public var ids: [[Int32]]
  public var logprobs: [[Float]]

  public init(teacher: LlamaModel, windows: [[Int32]], k: Int, temperature: Float,
              progress: ((Int, Int) -> Void)? = nil) throws {
    guard k >= 1, k <= teacher.config.vocabSize else { throw CompressionError.invalidOption("top_k must be in [1, vocab] (got \(k))") }
    guard temperature > 0 else { throw CompressionError.invalidOption("temperature must be > 0") }
    self.k = k; self.temperature = temperature; self.windows = windows
    ids = []; logprobs = []
    let V = teacher.config.vocabSize
    for (wi, w) in windows.enumerated() {
      var cache = teacher.makeCache(reserve: w.count)
      let z = try teacher.forward(tokens: w, cache: &cache)
      var wid = [Int32](), wlp = [Float]()
      wid.reserveCapacity(w.count * k); wlp.reserveCapacity(w.count * k)
      for t in 0..<w.count {
        let row = z[(t * V)..<((t + 1) * V)]
        let (i, lp) = TeacherCache.topK(Array(row), k: k, temperature: temperature)
        wid += i; wlp += lp
      }
      ids.append(wid); logprobs.append(wlp)
      progress?(wi + 1, windows.count)
    }
  }

  /// Top-k of softmax(z/T): ids (descending probability) and log-probabilities renormalised over the k.
  public static func topK(_ z: [Float], k: Int, temperature T: Float) -> ([Int32], [Float]) {
    let idx = z.indices.sorted { z[$0] != z[$1] ? z[$0] > z[$1] : $0 < $1 }.prefix(k)
    let m = Double(z[idx.first!]) / Double(T)
    let lse = m + Foundation.log(idx.reduce(0.0) { $0 + Foundation.exp(Double(z[$1]) / Double(T) - m) })
    return (idx.map { Int32($0) }, idx.map { Float(Double(z[$0]) / Double(T) - lse) })
  }
}
