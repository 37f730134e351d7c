// Small numeric helpers shared by PPO and the world model: symlog/symexp (DreamerV3), running
// mean/variance (Chan et al. parallel update, as in Gymnasium's NormalizeObservation), explained variance.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// symlog(x) = sign(x)·ln(1+|x|): compresses large magnitudes, identity-like near 0 (DreamerV3).
@inline(__always) public func symlog(_ x: Float) -> Float { x == 0 ? x : (x < 0 ? -log1pf(-x) : log1pf(x)) }
/// symexp(x) = sign(x)·(e^|x| − 1), the inverse of `symlog`.
@inline(__always) public func symexp(_ x: Float) -> Float { x == 0 ? x : (x < 0 ? -expm1f(-x) : expm1f(x)) }

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
