// Weight initialisers (seeded through RNG; PyTorch fan conventions: a weight [out, in, ...] has
// fan_in = in·receptive, fan_out = out·receptive).

public enum Init: Sendable, Equatable {
  case zeros
  case constant(Float)
  case normal(std: Float)
  case uniform(bound: Float)                 // U(-bound, bound)
  case xavierUniform(gain: Float = 1)        // bound = gain·sqrt(6 / (fan_in + fan_out))
  case xavierNormal(gain: Float = 1)         // std = gain·sqrt(2 / (fan_in + fan_out))
  case kaimingUniform(gain: Float = 1.4142135)  // bound = gain·sqrt(3 / fan_in)  (gain √2 for ReLU)
  case kaimingNormal(gain: Float = 1.4142135)   // std = gain / sqrt(fan_in)
  case orthogonal(gain: Float = 1)           // (semi-)orthogonal rows/cols via QR of a Gaussian matrix
  /// PyTorch's nn.Linear default: U(±1/sqrt(fan_in)) (kaiming_uniform with a = √5).
  case torchLinearDefault

  public static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
    if shape.isEmpty { return (1, 1) }
    if shape.count == 1 { return (shape[0], shape[0]) }
    let receptive = shapeCount(Array(shape[2...]))
    return (shape[1] * receptive, shape[0] * receptive)
  }

  public func tensor(_ shape: [Int], rng: inout RNG, requiresGrad: Bool = true) -> Tensor {
    let t = Tensor(zeros: shape)
    fill(t, rng: &rng)
    t.requiresGrad = requiresGrad
    return t
  }

  public func fill(_ t: Tensor, rng: inout RNG) {
    let (fi, fo) = Init.fans(t.shape)
    let p = t.data, n = t.count
    func unif(_ b: Float) { for i in 0..<n { p[i] = Float(rng.uniform(-Double(b), Double(b))) } }
    func norm(_ s: Float) { for i in 0..<n { p[i] = s * Float(rng.normal()) } }
    switch self {
    case .zeros: t.fill(0)
    case let .constant(c): t.fill(c)
    case let .normal(s): norm(s)
    case let .uniform(b): unif(b)
    case let .xavierUniform(g): unif(g * (6 / Float(fi + fo)).squareRoot())
    case let .xavierNormal(g): norm(g * (2 / Float(fi + fo)).squareRoot())
    case let .kaimingUniform(g): unif(g * (3 / Float(fi)).squareRoot())
    case let .kaimingNormal(g): norm(g / Float(fi).squareRoot())
    case .torchLinearDefault: unif(1 / Float(fi).squareRoot())
    case let .orthogonal(g): Init.orthogonal(t, gain: g, rng: &rng)
    }
  }

  /// Orthogonal init as in Saxe et al. / torch.nn.init.orthogonal_: draw a Gaussian [rows, cols] matrix
  /// (rows = shape[0]), take Q of its QR decomposition with R's diagonal made positive (Gram–Schmidt with
  /// re-orthogonalisation, in Double), transpose when rows < cols, scale by gain.
  static func orthogonal(_ t: Tensor, gain: Float, rng: inout RNG) {
    let rows = t.shape.first ?? 1
    let cols = rows == 0 ? 0 : t.count / rows
    if rows == 0 || cols == 0 { return }
    let big = Swift.max(rows, cols), small = Swift.min(rows, cols)
    // Column-major storage of a big×small matrix: column j at q[j*big ..< (j+1)*big].
    var q = [Double](repeating: 0, count: big * small)
    for i in 0..<q.count { q[i] = rng.normal() }
    for j in 0..<small {
      for _ in 0..<2 {
        for k in 0..<j {
          var dot = 0.0
          for i in 0..<big { dot += q[k * big + i] * q[j * big + i] }
          for i in 0..<big { q[j * big + i] -= dot * q[k * big + i] }
        }
      }
      var nrm = 0.0
      for i in 0..<big { nrm += q[j * big + i] * q[j * big + i] }
      nrm = nrm.squareRoot()
      for i in 0..<big { q[j * big + i] /= nrm }
    }
    let p = t.data
    for r in 0..<rows {
      for c in 0..<cols {
        // rows >= cols: W[r][c] = Q[r][c]; else W = Qᵀ: W[r][c] = Q[c][r].
        let v = rows >= cols ? q[c * big + r] : q[r * big + c]
        p[r * cols + c] = gain * Float(v)
      }
    }
  }
}
