// Binary elementwise ops with broadcasting. An operand broadcasts to the output shape when it has
// - the same shape, or a single element (scalar), or
// - a suffix of the output shape (trailing broadcast, e.g. a bias [N] on [B, N] or [T, D] on [B, T, D]), or
// - the output shape with the last axis 1 (per-row broadcast, e.g. [B, 1] on [B, N]).
// Kernels are generic over a tiny op type so the compiler specialises and vectorises each loop.

enum Bcast: Equatable {
  case same, scalar
  case suffix(Int)   // operand repeats every m elements
  case perRow(Int)   // one operand value per run of m output elements
}

func broadcastKind(_ s: [Int], to out: [Int]) -> Bcast? {
  if s == out { return .same }
  let n = shapeCount(s)
  if n == 1 { return .scalar }
  var t = s[...]
  while t.first == 1 && t.count > 1 { t = t.dropFirst() }
  if t.count <= out.count && Array(out.suffix(t.count)) == Array(t) { return .suffix(n) }
  if s.count == out.count, s.last == 1, Array(s.dropLast()) == Array(out.dropLast()) { return .perRow(out.last!) }
  return nil
}

protocol BinaryKernel { static func f(_ a: Float, _ b: Float) -> Float }
enum AddK: BinaryKernel { @inline(__always) static func f(_ a: Float, _ b: Float) -> Float { a + b } }
enum SubK: BinaryKernel { @inline(__always) static func f(_ a: Float, _ b: Float) -> Float { a - b } }
enum MulK: BinaryKernel { @inline(__always) static func f(_ a: Float, _ b: Float) -> Float { a * b } }
enum DivK: BinaryKernel { @inline(__always) static func f(_ a: Float, _ b: Float) -> Float { a / b } }
enum MaxK: BinaryKernel { @inline(__always) static func f(_ a: Float, _ b: Float) -> Float { a >= b ? a : b } }
enum MinK: BinaryKernel { @inline(__always) static func f(_ a: Float, _ b: Float) -> Float { a <= b ? a : b } }
/// d/da of max(a, b) (1 where a wins, ties go to a); used for max/min backward.
enum GeK: BinaryKernel { @inline(__always) static func f(_ a: Float, _ b: Float) -> Float { a >= b ? 1 : 0 } }
enum LtK: BinaryKernel { @inline(__always) static func f(_ a: Float, _ b: Float) -> Float { a < b ? 1 : 0 } }
enum LeK: BinaryKernel { @inline(__always) static func f(_ a: Float, _ b: Float) -> Float { a <= b ? 1 : 0 } }
enum GtK: BinaryKernel { @inline(__always) static func f(_ a: Float, _ b: Float) -> Float { a > b ? 1 : 0 } }

/// out[i] = K(a[ia(i)], b[ib(i)]) for n output elements, with ka/kb the operand broadcast kinds.
@inline(__always)
func binaryLoop<K: BinaryKernel>(_: K.Type, _ o: UnsafeMutablePointer<Float>, _ n: Int,
                                 _ a: UnsafePointer<Float>, _ ka: Bcast, _ b: UnsafePointer<Float>, _ kb: Bcast) {
  switch (ka, kb) {
  case (.same, .same):
    for i in 0..<n { o[i] = K.f(a[i], b[i]) }
  case (.same, .scalar):
    let s = b[0]
    for i in 0..<n { o[i] = K.f(a[i], s) }
  case (.scalar, .same):
    let s = a[0]
    for i in 0..<n { o[i] = K.f(s, b[i]) }
  case (.scalar, .scalar):
    for i in 0..<n { o[i] = K.f(a[0], b[0]) }
  case let (.same, .suffix(m)):
    var r = 0
    while r < n { let oo = o + r, aa = a + r; for j in 0..<m { oo[j] = K.f(aa[j], b[j]) }; r += m }
  case let (.suffix(m), .same):
    var r = 0
    while r < n { let oo = o + r, bb = b + r; for j in 0..<m { oo[j] = K.f(a[j], bb[j]) }; r += m }
  case let (.same, .perRow(m)):
    var r = 0, k = 0
    while r < n { let oo = o + r, aa = a + r, s = b[k]; for j in 0..<m { oo[j] = K.f(aa[j], s) }; r += m; k += 1 }
  case let (.perRow(m), .same):
    var r = 0, k = 0
    while r < n { let oo = o + r, bb = b + r, s = a[k]; for j in 0..<m { oo[j] = K.f(s, bb[j]) }; r += m; k += 1 }
  default:
    // Both operands broadcast (e.g. [N] with [B,1]): index each one.
    for i in 0..<n { o[i] = K.f(a[bcastIndex(i, ka)], b[bcastIndex(i, kb)]) }
  }
}

@inline(__always) func bcastIndex(_ i: Int, _ k: Bcast) -> Int {
  switch k {
  case .same: return i
  case .scalar: return 0
  case let .suffix(m): return i % m
  case let .perRow(m): return i / m
  }
}

/// Sum a gradient of the output shape down to an operand of broadcast kind `k` with `count` elements.
func reduceBroadcast(_ g: Tensor, _ k: Bcast, into dst: UnsafeMutablePointer<Float>, count: Int, accumulate: Bool) {
  let n = g.count, p = g.data
  if !accumulate { dst.initialize(repeating: 0, count: count) }
  switch k {
  case .same:
    for i in 0..<n { dst[i] += p[i] }
  case .scalar:
    var s: Float = 0
    for i in 0..<n { s += p[i] }
    dst[0] += s
  case let .suffix(m):
    var r = 0
    while r < n { let pp = p + r; for j in 0..<m { dst[j] += pp[j] }; r += m }
  case let .perRow(m):
    var r = 0, k = 0
    while r < n { let pp = p + r; var s: Float = 0; for j in 0..<m { s += pp[j] }; dst[k] += s; r += m; k += 1 }
  }
}

func broadcastShapes(_ op: String, _ a: Tensor, _ b: Tensor) throws -> ([Int], Bcast, Bcast) {
  let out = a.count >= b.count ? a.shape : b.shape
  guard let ka = broadcastKind(a.shape, to: out), let kb = broadcastKind(b.shape, to: out) else {
    throw TensorError.shapeMismatch(op: op, lhs: a.shape, rhs: b.shape, detail: "cannot broadcast")
  }
  return (out, ka, kb)
}

extension Tensor {
  static func binary<K: BinaryKernel>(_ op: String, _ kernel: K.Type, _ a: Tensor, _ b: Tensor,
                                      backward: ((Tensor, Tensor, Tensor, Bcast, Bcast) -> Void)?) throws -> Tensor {
    let (shape, ka, kb) = try broadcastShapes(op, a, b)
    let out = Tensor(uninitialized: shape)
    binaryLoop(K.self, out.data, out.count, a.data, ka, b.data, kb)
    if let bw = backward, needsGrad(a, b) {
      out.record(op, [a, b]) { g in bw(g, a, b, ka, kb) }
    }
    return out
  }

  /// g ⊙ (x broadcast to g's shape) — helper for product-rule gradients.
  static func mulBroadcast(_ g: Tensor, _ x: Tensor, _ kx: Bcast) -> Tensor {
    let t = Tensor(uninitialized: g.shape)
    binaryLoop(MulK.self, t.data, g.count, g.data, .same, x.data, kx)
    return t
  }

  public static func + (a: Tensor, b: Tensor) throws -> Tensor {
    try binary("add", AddK.self, a, b) { g, a, b, ka, kb in
      a.withGradBuffer { reduceBroadcast(g, ka, into: $0, count: a.count, accumulate: $1) }
      b.withGradBuffer { reduceBroadcast(g, kb, into: $0, count: b.count, accumulate: $1) }
    }
  }

  public static func - (a: Tensor, b: Tensor) throws -> Tensor {
    try binary("sub", SubK.self, a, b) { g, a, b, ka, kb in
      a.withGradBuffer { reduceBroadcast(g, ka, into: $0, count: a.count, accumulate: $1) }
      if b.requiresGrad {
        let ng = g.scaledRaw(-1)
        b.withGradBuffer { reduceBroadcast(ng, kb, into: $0, count: b.count, accumulate: $1) }
      }
    }
  }

  public static func * (a: Tensor, b: Tensor) throws -> Tensor {
    try binary("mul", MulK.self, a, b) { g, a, b, ka, kb in
      if a.requiresGrad {
        let t = mulBroadcast(g, b, kb)
        a.withGradBuffer { reduceBroadcast(t, ka, into: $0, count: a.count, accumulate: $1) }
      }
      if b.requiresGrad {
        let t = mulBroadcast(g, a, ka)
        b.withGradBuffer { reduceBroadcast(t, kb, into: $0, count: b.count, accumulate: $1) }
      }
    }
  }

  public static func / (a: Tensor, b: Tensor) throws -> Tensor {
    try binary("div", DivK.self, a, b) { g, a, b, ka, kb in
      let n = g.count
      if a.requiresGrad {
        let t = Tensor(uninitialized: g.shape)
        binaryLoop(DivK.self, t.data, n, g.data, .same, b.data, kb)
        a.withGradBuffer { reduceBroadcast(t, ka, into: $0, count: a.count, accumulate: $1) }
      }
      if b.requiresGrad {
        // d(a/b)/db = -a/b²
        let t = Tensor(uninitialized: g.shape), p = t.data, gp = g.data, ap = a.data, bp = b.data
        for i in 0..<n {
          let bv = bp[bcastIndex(i, kb)]
          p[i] = -gp[i] * ap[bcastIndex(i, ka)] / (bv * bv)
        }
        b.withGradBuffer { reduceBroadcast(t, kb, into: $0, count: b.count, accumulate: $1) }
      }
    }
  }

  /// Elementwise maximum (gradient flows to the larger operand; ties to `a`).
  public static func maximum(_ a: Tensor, _ b: Tensor) throws -> Tensor {
    try binary("maximum", MaxK.self, a, b) { g, a, b, ka, kb in selectGrad(g, a, b, ka, kb, GeK.self) }
  }
  /// Elementwise minimum (gradient flows to the smaller operand; ties to `a`).
  public static func minimum(_ a: Tensor, _ b: Tensor) throws -> Tensor {
    try binary("minimum", MinK.self, a, b) { g, a, b, ka, kb in selectGrad(g, a, b, ka, kb, LeK.self) }
  }

  static func selectGrad<K: BinaryKernel>(_ g: Tensor, _ a: Tensor, _ b: Tensor, _ ka: Bcast, _ kb: Bcast, _: K.Type) {
    let n = g.count
    let mask = Tensor(uninitialized: g.shape)
    binaryLoop(K.self, mask.data, n, a.data, ka, b.data, kb)   // 1 where a is selected
    let m = mask.data, gp = g.data
    if a.requiresGrad {
      let t = Tensor(uninitialized: g.shape), p = t.data
      for i in 0..<n { p[i] = gp[i] * m[i] }
      a.withGradBuffer { reduceBroadcast(t, ka, into: $0, count: a.count, accumulate: $1) }
    }
    if b.requiresGrad {
      let t = Tensor(uninitialized: g.shape), p = t.data
      for i in 0..<n { p[i] = gp[i] * (1 - m[i]) }
      b.withGradBuffer { reduceBroadcast(t, kb, into: $0, count: b.count, accumulate: $1) }
    }
  }

  /// Plain scaled copy (no graph) — used inside backward closures.
  func scaledRaw(_ s: Float) -> Tensor {
    let t = Tensor(uninitialized: shape), p = t.data, q = data
    for i in 0..<count { p[i] = q[i] * s }
    return t
  }
}
