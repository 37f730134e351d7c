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
    var logp = [Float](repeating: 0, count: width)
    var p = [Float](repeating: 0, count: width)
    try logits.withUnsafeBufferPointer { z in
      try logp.withUnsafeMutableBufferPointer { lp in
        try p.withUnsafeMutableBufferPointer { pp in
          if let m = mask {
            try m.withUnsafeBufferPointer { mb in
              try logSoftmax(row: z.baseAddress!, mask: mb.baseAddress!, logp: lp.baseAddress!, p: pp.baseAddress!)
            }
          } else {
            try logSoftmax(row: z.baseAddress!, mask: nil, logp: lp.baseAddress!, p: pp.baseAddress!)
          }
        }
      }
    }
    return (logp, p)
  }

  /// The same into caller-owned buffers of `width` entries (no allocation: the batched acting path).
  /// `logp` receives the masked logits first, so it may not alias `logits`.
  public func logSoftmax(row logits: UnsafePointer<Float>, mask: UnsafePointer<Bool>?,
                         logp: UnsafeMutablePointer<Float>, p: UnsafeMutablePointer<Float>) throws {
    let z = logp
    if let m = mask {
      for j in 0..<width { z[j] = m[j] ? logits[j] : maskedLogit }
    } else {
      z.update(from: logits, count: width)
    }
    var off = 0
    for k in nvec {
      if let m = mask, !(off..<off + k).contains(where: { m[$0] }) {
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
    p.withUnsafeBufferPointer { sample(p: $0.baseAddress!, rng: &rng, into: &a) }
    return a
  }

  /// Appends one sampled action per head to `actions` (probabilities of one row in `p`).
  public func sample(p: UnsafePointer<Float>, rng: inout RNG, into actions: inout [Int]) {
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
      actions.append(choice)
      off += k
    }
  }

  /// The most probable allowed action per head (ties → lowest index): deterministic evaluation.
  public func mode(p: [Float]) -> [Int] {
    var a: [Int] = []
    p.withUnsafeBufferPointer { mode(p: $0.baseAddress!, into: &a) }
    return a
  }

  /// Appends the most probable allowed action per head to `actions`.
  public func mode(p: UnsafePointer<Float>, into actions: inout [Int]) {
    var off = 0
    for k in nvec {
      var best = 0
      for j in 1..<max(k, 1) where p[off + j] > p[off + best] { best = j }
      actions.append(best)
      off += k
    }
  }

  /// Joint log-probability of `action` (one index per head): the sum of the heads' log-probabilities.
  /// Walks the head offsets inline (called per row on the rollout and update paths: no offsets array).
  public func logProb(logp: [Float], action: ArraySlice<Int>) -> Float {
    logp.withUnsafeBufferPointer { logProb(logp: $0.baseAddress!, action: action) }
  }

  /// The same over a row of `width` log-probabilities.
  public func logProb(logp: UnsafePointer<Float>, action: ArraySlice<Int>) -> Float {
    var s: Float = 0, off = 0
    for (k, a) in zip(nvec, action) {
      precondition(a >= 0 && a < k)
      s += logp[off + a]
      off += k
    }
    return s
  }
}
