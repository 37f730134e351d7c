// Small numeric helpers shared by PPO and the world model: symlog/symexp (DreamerV3), running
// mean/variance (Chan et al. parallel update, as in Gymnasium's NormalizeObservation), explained variance.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// symlog(x) = sign(x)·ln(1+|x|): compresses large magnitudes, identity-like near 0 (DreamerV3).
@inline(__always) public func symlog(_ x: Float) -> Float { x < 0 ? -log1pf(-x) : log1pf(x) }
/// symexp(x) = sign(x)·(e^|x| − 1), the inverse of `symlog`.
@inline(__always) public func symexp(_ x: Float) -> Float { x < 0 ? -expm1f(-x) : expm1f(x) }

/// Running mean and variance of a vector-valued stream (population variance), updated batch-wise.
/// Stored in Double so long runs do not drift; Codable so checkpoints restore it exactly.
public struct RunningMeanStd: Codable, Equatable, Sendable {
  public var mean: [Double]
  public var variance: [Double]
  public var count: Double

  /// `epsilon` is the initial pseudo-count (Gymnasium uses 1e-4), which keeps the first batch from
  /// dividing by zero while barely biasing the statistics.
  public init(dimension: Int, epsilon: Double = 1e-4) {
    mean = Array(repeating: 0, count: dimension)
    variance = Array(repeating: 1, count: dimension)
    count = epsilon
  }

  public var dimension: Int { mean.count }

  /// Adds a batch of `rows` vectors stored row-major in `batch` (rows × dimension).
  public mutating func update(batch: [Float], rows: Int) {
    let d = dimension
    precondition(batch.count == rows * d, "RunningMeanStd.update: batch has \(batch.count) values, expected \(rows)×\(d)")
    guard rows > 0 else { return }
    var bMean = [Double](repeating: 0, count: d)
    var bVar = [Double](repeating: 0, count: d)
    for r in 0..<rows { for j in 0..<d { bMean[j] += Double(batch[r * d + j]) } }
    for j in 0..<d { bMean[j] /= Double(rows) }
    for r in 0..<rows {
      for j in 0..<d { let x = Double(batch[r * d + j]) - bMean[j]; bVar[j] += x * x }
    }
    for j in 0..<d { bVar[j] /= Double(rows) }
    let n = Double(rows)
    let tot = count + n
    for j in 0..<d {
      let delta = bMean[j] - mean[j]
      let m2 = variance[j] * count + bVar[j] * n + delta * delta * count * n / tot
      mean[j] += delta * n / tot
      variance[j] = m2 / tot
    }
    count = tot
  }

  /// (x − mean) / sqrt(var + eps), clipped to ±clip, written in place over a row-major batch.
  public func normalize(_ batch: inout [Float], clip: Float = 10, eps: Double = 1e-8) {
    let d = dimension
    for i in 0..<batch.count {
      let j = i % d
      let z = Float((Double(batch[i]) - mean[j]) / (variance[j] + eps).squareRoot())
      batch[i] = min(max(z, -clip), clip)
    }
  }
}

/// Explained variance 1 − Var[y − ŷ] / Var[y] (NaN when Var[y] = 0), as CleanRL logs it.
public func explainedVariance(predicted: [Float], target: [Float]) -> Double {
  precondition(predicted.count == target.count)
  let n = Double(target.count)
  guard n > 1 else { return .nan }
  func variance(_ v: [Double]) -> Double {
    let m = v.reduce(0, +) / n
    return v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / n
  }
  let y = target.map(Double.init)
  let vy = variance(y)
  if vy == 0 { return .nan }
  let diff = zip(y, predicted).map { $0 - Double($1) }
  return 1 - variance(diff) / vy
}
