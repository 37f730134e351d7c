// Element-wise pieces of the Llama block (plain loops; the compiler vectorises them).
import Foundation

enum Kernels {
  /// y[r] = x[r] / sqrt(mean(x[r]²) + eps) ⊙ w, for n rows of width d (sum of squares in Double).
  static func rmsNorm(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, n: Int, d: Int, eps: Float,
                      into y: UnsafeMutablePointer<Float>) {
    for r in 0..<n {
      let xr = x + r * d, yr = y + r * d
      var ss: Float = 0
      for i in 0..<d { ss += xr[i] * xr[i] }
      let inv = Float(1.0 / (Double(ss) / Double(d) + Double(eps)).squareRoot())
      for i in 0..<d { yr[i] = xr[i] * inv * w[i] }
    }
  }

  /// Rotary embedding of rows `rows` (row r has position table.pos0 + r) with precomputed cos/sin.
  static func rope(_ x: UnsafeMutablePointer<Float>, rows: Range<Int>, ld: Int, heads: Int, headDim: Int,
                   table t: RoPETable, pairing: RoPEPairing) {
    let half = t.half
    t.cos.withUnsafeBufferPointer { cb in t.sin.withUnsafeBufferPointer { sb in
      for r in rows {
        let cs = cb.baseAddress! + r * half, sn = sb.baseAddress! + r * half
        for h in 0..<heads {
          let v = x + r * ld + h * headDim
          for i in 0..<half {
            let (a, b) = pairing == .adjacent ? (2 * i, 2 * i + 1) : (i, i + half)
            let x0 = v[a], x1 = v[b]
            v[a] = x0 * cs[i] - x1 * sn[i]
            v[b] = x0 * sn[i] + x1 * cs[i]
          }
        }
      }
    } }
  }

  /// log-softmax value of `target` in a row (Double accumulation).
  static func logSoftmax(_ x: UnsafePointer<Float>, count: Int, at target: Int) -> Double {
    var m = -Float.infinity
    for i in 0..<count { m = max(m, x[i]) }
    var s = 0.0
    for i in 0..<count { s += Double(expf(x[i] - m)) }
    return Double(x[target] - m) - log(s)
  }
}

/// cos/sin of p·θ_i for positions pos0..<pos0+n (computed in Double, stored as Float), shared by q and k of every layer.
/// θ_i = θ^(−2i/ropeDim) / factors[i] when frequency factors are given (llama3 scaling, RoPEScaling.swift).
struct RoPETable {
  let pos0: Int
  let half: Int
  var cos: [Float]
  var sin: [Float]

  init(pos0: Int, n: Int, ropeDim: Int, theta: Double, factors: [Float]? = nil) {
    self.pos0 = pos0
    half = ropeDim / 2
    cos = [Float](repeating: 0, count: n * half); sin = cos
    let inv = (0..<half).map { i in pow(theta, -2.0 * Double(i) / Double(ropeDim)) / Double(factors?[i] ?? 1) }
    for r in 0..<n {
      let p = Double(pos0 + r)
      for i in 0..<half { let a = p * inv[i]; cos[r * half + i] = Float(Foundation.cos(a)); sin[r * half + i] = Float(Foundation.sin(a)) }
    }
  }
}
