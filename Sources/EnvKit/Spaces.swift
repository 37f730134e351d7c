// Observation and action spaces (Gymnasium conventions).
// Observations are always flat `[Float]` vectors described by a `BoxSpace`; actions are always `[Int]`
// described by an `ActionSpace` (`discrete(n)` is a one-element action, `multiDiscrete(nvec)` one entry per
// dimension). Action masks follow sb3-contrib's MaskablePPO layout: one flat `[Bool]` of length `sum(nvec)`,
// the mask of dimension 0 first, then dimension 1, … (`true` = allowed).
import TensorCore

/// A box in R^n: `low[i] <= x[i] <= high[i]` (bounds may be ±infinity, never NaN).
public struct BoxSpace: Equatable, Codable, Sendable {
  public let low: [Float]
  public let high: [Float]
  public var count: Int { low.count }

  public init(low: [Float], high: [Float]) throws {
    guard low.count == high.count else {
      throw EnvError.invalidSpace("Box low has \(low.count) entries but high has \(high.count)")
    }
    for i in 0..<low.count where low[i].isNaN || high[i].isNaN || low[i] > high[i] {
      throw EnvError.invalidSpace("Box bound \(i) invalid: low \(low[i]) > high \(high[i]) or NaN")
    }
    self.low = low
    self.high = high
  }

  /// A box with `count` identical bounds.
  public init(count: Int, low: Float, high: Float) throws {
    guard count >= 0 else { throw EnvError.invalidSpace("Box count must be >= 0, got \(count)") }
    try self.init(low: [Float](repeating: low, count: count), high: [Float](repeating: high, count: count))
  }

  /// Membership: right length, every value finite-or-within-bounds and not NaN.
  public func contains(_ x: [Float]) -> Bool {
    guard x.count == count else { return false }
    for i in 0..<count {
      let v = x[i]
      if v.isNaN || v < low[i] || v > high[i] { return false }
    }
    return true
  }

  /// First offending index (for error messages), or nil.
  public func firstViolation(_ x: [Float]) -> Int? {
    if x.count != count { return -1 }
    for i in 0..<count where x[i].isNaN || x[i] < low[i] || x[i] > high[i] { return i }
    return nil
  }

  /// A random member: uniform on bounded coordinates, standard normal (shifted into the half-line) otherwise.
  public func sample(_ rng: inout RNG) -> [Float] {
    (0..<count).map { i in
      let lo = low[i], hi = high[i]
      switch (lo.isFinite, hi.isFinite) {
      case (true, true): return lo + (hi - lo) * rng.uniformFloat()
      case (true, false): return lo + Float(abs(rng.normal()))
      case (false, true): return hi - Float(abs(rng.normal()))
      default: return Float(rng.normal())
      }
    }
  }
}

/// Discrete action spaces. Actions are `[Int]`: one entry for `discrete`, `nvec.count` for `multiDiscrete`.
public enum ActionSpace: Equatable, Codable, Sendable {
  case discrete(Int)
  case multiDiscrete([Int])

  /// Choices per action dimension.
  public var nvec: [Int] {
    switch self {
    case .discrete(let n): return [n]
    case .multiDiscrete(let v): return v
    }
  }
  /// Number of action dimensions (length of an action vector).
  public var count: Int { nvec.count }
  /// Length of a flat action mask (`sum(nvec)`).
  public var maskCount: Int { nvec.reduce(0, +) }

  /// Throws unless every dimension has at least one choice.
  public func validateSpace() throws {
    for (d, n) in nvec.enumerated() where n < 1 {
      throw EnvError.invalidSpace("action dimension \(d) has \(n) choices (need >= 1)")
    }
  }

  public func contains(_ a: [Int]) -> Bool {
    let v = nvec
    guard a.count == v.count else { return false }
    for i in 0..<v.count where a[i] < 0 || a[i] >= v[i] { return false }
    return true
  }

  /// Throws a clear `EnvError.invalidAction` if `a` is not a member (and, with a mask, not allowed).
  public func validate(_ a: [Int], mask: [Bool]? = nil) throws {
    let v = nvec
    guard a.count == v.count else {
      throw EnvError.invalidAction("action has \(a.count) entries, expected \(v.count)")
    }
    var off = 0
    for i in 0..<v.count {
      guard a[i] >= 0 && a[i] < v[i] else {
        throw EnvError.invalidAction("action[\(i)] = \(a[i]) outside 0..<\(v[i])")
      }
      if let m = mask, m.count == maskCount, !m[off + a[i]] {
        throw EnvError.invalidAction("action[\(i)] = \(a[i]) is masked out")
      }
      off += v[i]
    }
  }

  /// A uniformly random action among the allowed choices of each dimension (all choices without a mask;
  /// a dimension whose mask allows nothing falls back to choice 0).
  public func sample(_ rng: inout RNG, mask: [Bool]? = nil) -> [Int] {
    let v = nvec
    var out = [Int](repeating: 0, count: v.count)
    var off = 0
    for d in 0..<v.count {
      if let m = mask, m.count == maskCount {
        var allowed = 0
        for j in 0..<v[d] where m[off + j] { allowed += 1 }
        if allowed > 0 {
          var k = rng.int(below: allowed)
          for j in 0..<v[d] where m[off + j] {
            if k == 0 { out[d] = j; break }
            k -= 1
          }
        }
      } else {
        out[d] = rng.int(below: v[d])
      }
      off += v[d]
    }
    return out
  }
}
