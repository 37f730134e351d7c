// Seeded random numbers: xoshiro256** (Blackman & Vigna, 2018) seeded through SplitMix64.
// No global state: every stochastic API takes an `RNG` (a value type; copy it to fork a stream).
// Named sub-streams (`rng.split("env")`) are derived from the parent's *seed*, not its position, so adding
// draws to one stream never shifts another — experiments stay comparable when code changes.

/// SplitMix64 step (Steele, Lea & Flood 2014); used for seeding and for deriving stream seeds.
@inline(__always)
public func splitMix64(_ state: inout UInt64) -> UInt64 {
  state &+= 0x9E37_79B9_7F4A_7C15
  var z = state
  z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
  z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
  return z ^ (z >> 31)
}

/// FNV-1a 64-bit hash of a string's UTF-8 bytes (stable across runs and platforms, unlike `Hasher`).
public func fnv1a64(_ s: String) -> UInt64 { fnv1a64(bytes: s.utf8) }

/// FNV-1a 64-bit hash of a byte sequence, continuing from `state` (chain calls to hash several buffers).
public func fnv1a64<S: Sequence>(bytes: S, state: UInt64 = 0xCBF2_9CE4_8422_2325) -> UInt64 where S.Element == UInt8 {
  var h = state
  for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
  return h
}

public struct RNG: RandomNumberGenerator, Sendable, Codable, Equatable {
  /// The seed this stream was created from (streams split from it derive from this value).
  public let seed: UInt64
  private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

  public init(seed: UInt64) {
    self.seed = seed
    var sm = seed
    s0 = splitMix64(&sm); s1 = splitMix64(&sm); s2 = splitMix64(&sm); s3 = splitMix64(&sm)
  }

  /// A generator with an explicit xoshiro state (for reference-sequence tests); `seed` is set to 0.
  public init(rawState: (UInt64, UInt64, UInt64, UInt64)) {
    seed = 0
    (s0, s1, s2, s3) = rawState
  }

  /// An independent stream named `name`, derived from this stream's seed (position-independent).
  public func split(_ name: String) -> RNG {
    var sm = seed ^ fnv1a64(name)
    _ = splitMix64(&sm)
    return RNG(seed: splitMix64(&sm))
  }

  /// An independent stream numbered `index` (e.g. one per vectorised environment or per seed).
  public func split(_ index: Int) -> RNG { split("#\(index)") }

  @inline(__always)
  public mutating func next() -> UInt64 {
    let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
    let t = s1 << 17
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
    s2 ^= t
    s3 = (s3 << 45) | (s3 >> 19)
    return result
  }

  /// Uniform in [0, 1) with 53 random bits.
  @inline(__always)
  public mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

  /// Uniform in [lo, hi).
  public mutating func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * uniform() }

  /// Uniform Float in [0, 1) with 24 random bits.
  @inline(__always)
  public mutating func uniformFloat() -> Float { Float(next() >> 40) * 0x1.0p-24 }

  /// Standard normal by the Box–Muller transform (one value per call; deterministic, no cached spare).
  public mutating func normal() -> Double {
    var u1 = uniform()
    while u1 <= 0 { u1 = uniform() }
    let u2 = uniform()
    return (-2 * Foundation_log(u1)).squareRoot() * Foundation_cos(2 * Double.pi * u2)
  }

  public mutating func normal(mean: Double, std: Double) -> Double { mean + std * normal() }

  /// Uniform integer in 0..<n (Lemire's nearly-divisionless method via the stdlib).
  public mutating func int(below n: Int) -> Int {
    precondition(n > 0, "RNG.int(below:) needs n > 0")
    return Int.random(in: 0..<n, using: &self)
  }

  public mutating func bernoulli(_ p: Double) -> Bool { uniform() < p }

  /// Poisson-distributed count (Knuth's method for small means, normal approximation above 60).
  public mutating func poisson(_ mean: Double) -> Int {
    precondition(mean >= 0 && mean.isFinite, "RNG.poisson needs a finite mean >= 0")
    if mean == 0 { return 0 }
    if mean > 60 { return max(0, Int((mean + mean.squareRoot() * normal()).rounded())) }
    let l = Foundation_exp(-mean)
    var k = 0
    var p = 1.0
    repeat { k += 1; p *= uniform() } while p > l
    return k - 1
  }

  /// Index drawn with probability proportional to `weights` (non-negative, not all zero).
  public mutating func categorical(_ weights: [Double]) -> Int {
    let total = weights.reduce(0, +)
    precondition(total > 0 && total.isFinite, "RNG.categorical needs positive finite total weight")
    var u = uniform() * total
    for (i, w) in weights.enumerated() {
      u -= w
      if u < 0 { return i }
    }
    return weights.lastIndex(where: { $0 > 0 })!
  }

  /// A uniformly random permutation of 0..<n (Fisher–Yates).
  public mutating func permutation(_ n: Int) -> [Int] {
    var p = Array(0..<n)
    if n < 2 { return p }
    for i in stride(from: n - 1, to: 0, by: -1) {
      let j = int(below: i + 1)
      p.swapAt(i, j)
    }
    return p
  }
}
