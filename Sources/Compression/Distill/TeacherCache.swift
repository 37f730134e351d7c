// Cached top-k teacher distributions: the teacher runs once per training window; for every position we keep
// the k most probable tokens of p = softmax(z/T), their log-probabilities over the full vocabulary
// (log p_j = z_j/T − log Σ_all exp(z/T), not renormalised over the k) and the log of the remaining tail mass
// log P = log Σ_{j∉topk} exp(z_j/T) − log Σ_all exp(z/T) (−∞ when k = vocab), both sums in Double from their own
// maxima, so the tail keeps its relative precision however small. The loss (TensorCore.sparseKLDivergence) is
// the KL over the k + 1 categories {top-k, rest}. The cache lives in memory only (it is rebuilt from the teacher
// and the windows; checkpoints store no part of it). Memory: windows · length · (k · 8 + 4) bytes.
import Foundation
import LLM
import TensorCore

public struct TeacherCache: Sendable {
  public let k: Int
  public let temperature: Float
  public let windows: [[Int32]]
  /// Per window: [length × k] token ids and their full-vocabulary log-probabilities at T, and [length] tail
  /// log-masses.
  public var ids: [[Int32]]
  public var logprobs: [[Float]]
  public var tailLogMass: [[Float]]

  public init(teacher: LlamaModel, windows: [[Int32]], k: Int, temperature: Float,
              progress: ((Int, Int) -> Void)? = nil) throws {
    guard k >= 1, k <= teacher.config.vocabSize else { throw CompressionError.invalidOption("top_k must be in [1, vocab] (got \(k))") }
    guard temperature > 0 else { throw CompressionError.invalidOption("temperature must be > 0") }
    self.k = k; self.temperature = temperature; self.windows = windows
    ids = []; logprobs = []; tailLogMass = []
    let V = teacher.config.vocabSize
    for (wi, w) in windows.enumerated() {
      try Cancellation.check()
      var cache = teacher.makeCache(reserve: w.count)
      let z = try teacher.forward(tokens: w, cache: &cache)
      var wid = [Int32](), wlp = [Float](), wtail = [Float]()
      wid.reserveCapacity(w.count * k); wlp.reserveCapacity(w.count * k); wtail.reserveCapacity(w.count)
      for t in 0..<w.count {
        let (i, lp, tail) = TeacherCache.topK(z[(t * V)..<((t + 1) * V)], k: k, temperature: temperature)
        wid += i; wlp += lp; wtail.append(tail)
      }
      ids.append(wid); logprobs.append(wlp); tailLogMass.append(wtail)
      progress?(wi + 1, windows.count)
    }
  }

  /// Mean over the cached positions of the teacher's mass outside its top-k (P) and of log(1 − P), the log of
  /// the mass the top-k keeps. −T² · meanLogTopMass is what a renormalised top-k target charges a student equal to
  /// the teacher (the bias of the earlier loss form, decision 0712).
  public var tailSummary: (meanTailMass: Double, meanLogTopMass: Double) {
    var p = 0.0, l = 0.0, n = 0
    for w in tailLogMass {
      for t in w { let tail = Foundation.exp(Double(t)); p += tail; l += Foundation.log1p(-tail); n += 1 }
    }
    return n == 0 ? (0, 0) : (p / Double(n), l / Double(n))
  }

  /// Top-k of softmax(z/T): ids (descending probability, ties by lower id), their log-probabilities over the
  /// full vocabulary and the log of the mass outside the k (−∞ when k = count). Selection keeps a sorted buffer
  /// of the k best seen so far (O(V + insertions·k)) instead of sorting the whole vocabulary for every position;
  /// for k ≥ V/8 a full sort is cheaper and is used.
  public static func topK<C: RandomAccessCollection>(_ z: C, k: Int, temperature T: Float) -> ([Int32], [Float], Float)
  where C.Element == Float, C.Index == Int {
    let base = z.startIndex, n = z.count
    @inline(__always) func at(_ i: Int) -> Float { z[base + i] }
    var idx: [Int]
    if k * 8 >= n {
      idx = Array((0..<n).sorted { at($0) != at($1) ? at($0) > at($1) : $0 < $1 }.prefix(k))
    } else {
      idx = []; idx.reserveCapacity(k + 1)
      for i in 0..<n {
        let v = at(i)
        if idx.count == k { guard v > at(idx[k - 1]) else { continue } }
        // Insert after every kept id with value ≥ v (they have lower ids, so ties stay ordered by id).
        var lo = 0, hi = idx.count
        while lo < hi { let mid = (lo + hi) / 2; if at(idx[mid]) >= v { lo = mid + 1 } else { hi = mid } }
        idx.insert(i, at: lo)
        if idx.count > k { idx.removeLast() }
      }
    }
    var inTop = [Bool](repeating: false, count: n)
    for i in idx { inTop[i] = true }
    let invT = 1 / Double(T)
    let m = Double(at(idx[0])) * invT                        // the overall maximum
    var mt = -Double.infinity                                 // the tail's maximum
    for i in 0..<n where !inTop[i] { mt = Swift.max(mt, Double(at(i)) * invT) }
    var s = 0.0, st = 0.0
    for i in 0..<n {
      let a = Double(at(i)) * invT
      s += Foundation.exp(a - m)
      if !inTop[i] { st += Foundation.exp(a - mt) }
    }
    let lse = m + Foundation.log(s)
    let tail = mt.isFinite ? Float(mt + Foundation.log(st) - lse) : -Float.infinity
    return (idx.map { Int32($0) }, idx.map { Float(Double(at($0)) * invT - lse) }, tail)
  }
}
