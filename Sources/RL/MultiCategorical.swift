// Multi-discrete categorical distribution with action masks over flat logits.
// A row of logits holds the heads back to back (head k has nvec[k] entries). Masked-out entries are
// replaced by a large negative logit (−1e8, as CleanRL's invalid-action masking does) so their probability
// is exactly 0 in Float32 and they receive no gradient. The joint log-probability is the sum over heads,
// the entropy the sum of head entropies.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TensorCore

public let maskedLogit: Float = -1e8

public struct MultiCategorical: Equatable, Codable, Sendable {
  public let nvec: [Int]
  public let width: Int
  public init(nvec: [Int]) throws {
    guard !nvec.isEmpty, nvec.allSatisfy({ $0 > 0 }) else {
      throw RLError.invalidConfig("action heads must be non-empty with positive sizes, got \(nvec)")
    }
    self.nvec = nvec
    width = nvec.reduce(0, +)
  }

  /// Head offsets into a logits row.
  public var offsets: [Int] {
    var o: [Int] = []
    var s = 0
    for k in nvec { o.append(s); s += k }
    return o
  }

  /// Applies `mask` (true = allowed; nil = all allowed) and returns per-head log-probabilities and
  /// probabilities for one row. Throws if a head has no allowed action.
  public func logSoftmax(row logits: ArraySlice<Float>, mask: ArraySlice<Bool>?) throws -> (logp: [Float], p: [Float]) {
    var z = Array(logits)
    if let m = mask {
      for (j, ok) in zip(0..<width, m) where !ok { z[j] = maskedLogit }
    }
    var logp = [Float](repeating: 0, count: width)
    var p = [Float](repeating: 0, count: width)
    var off = 0
    for k in nvec {
      if let m = mask, !m[m.startIndex + off..<m.startIndex + off + k].contains(true) {
        throw RLError.invalidAction("every action of a head is masked out")
      }
      var mx = -Float.infinity
      for j in off..<off + k { mx = max(mx, z[j]) }
      var s: Float = 0
      for j in off..<off + k { s += expf(z[j] - mx) }
      let lse = mx + logf(s)
      for j in off..<off + k { logp[j] = z[j] - lse; p[j] = expf(logp[j]) }
      off += k
    }
    return (logp, p)
  }

  /// Sum over heads of −Σ p log p (masked entries, p = 0, contribute 0).
  public func entropy(logp: [Float], p: [Float]) -> Float {
    var h: Float = 0
    for j in 0..<width where p[j] > 0 { h -= p[j] * logp[j] }
    return h
  }

  /// Samples one action per head with `rng` (inverse CDF on a uniform Float).
  public func sample(p: [Float], rng: inout RNG) -> [Int] {
    var a: [Int] = []
    var off = 0
    for k in nvec {
      let u = rng.uniformFloat()
      var c: Float = 0
      var choice = -1
      for j in 0..<k {
        c += p[off + j]
        if p[off + j] > 0 { choice = j }  // fallback: last allowed action (rounding at c < 1)
        if u < c && p[off + j] > 0 { choice = j; break }
      }
      a.append(choice)
      off += k
    }
    return a
  }

  /// The most probable allowed action per head (ties → lowest index): deterministic evaluation.
  public func mode(p: [Float]) -> [Int] {
    var a: [Int] = []
    var off = 0
    for k in nvec {
      var best = 0
      for j in 1..<max(k, 1) where p[off + j] > p[off + best] { best = j }
      a.append(best)
      off += k
    }
    return a
  }

  /// Joint log-probability of `action` (one index per head): the sum of the heads' log-probabilities.
  /// Walks the head offsets inline (called per row on the rollout and update paths: no offsets array).
  public func logProb(logp: [Float], action: ArraySlice<Int>) -> Float {
    var s: Float = 0, off = 0
    for (k, a) in zip(nvec, action) {
      precondition(a >= 0 && a < k)
      s += logp[off + a]
      off += k
    }
    return s
  }
}
