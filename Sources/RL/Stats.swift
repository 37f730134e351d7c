// Small numeric helpers shared by PPO and the world model: symlog/symexp (DreamerV3), running
// mean/variance (Chan et al. parallel update, as in Gymnasium's NormalizeObservation), explained variance.
import TensorCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// symlog(x) = sign(x)·ln(1+|x|): compresses large magnitudes, identity-like near 0 (DreamerV3).
/// Branch-free (FastMath.log1p, ≈ 1.3 ulp) so loops over it vectorise.
@inline(__always) public func symlog(_ x: Float) -> Float { Float(signOf: x, magnitudeOf: FastMath.log1p(abs(x))) }
/// symexp(x) = sign(x)·(e^|x| − 1), the inverse of `symlog` (FastMath.expm1, ≈ 2.5 ulp).
@inline(__always) public func symexp(_ x: Float) -> Float { Float(signOf: x, magnitudeOf: FastMath.expm1(abs(x))) }

/// symlog of every element (FastMath's SIMD buffer form: the same bits as `symlog` per element).
public func symlog(_ xs: ArraySlice<Float>) -> [Float] {
  [Float](unsafeUninitializedCapacity: xs.count) { out, count in
    xs.withUnsafeBufferPointer { src in
      if let s = src.baseAddress, let o = out.baseAddress { FastMath.signedLog1p(s, o, src.count) }
    }
    count = xs.count
  }
}

/// symexp of every element, in place (FastMath's SIMD buffer form: the same bits as `symexp` per element).
public func symexpInPlace(_ xs: inout [Float]) {
  xs.withUnsafeMutableBufferPointer { b in if let p = b.baseAddress { FastMath.signedExpm1(p, p, b.count) } }
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
