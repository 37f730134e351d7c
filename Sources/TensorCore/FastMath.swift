// Vectorisable exp / sigmoid / tanh for the hot loops (softmax, cross-entropy, attention, activations).
// Glibc's expf/tanhf are scalar calls; these are branch-free (selects only) so the compiler vectorises the
// loops that use them. exp: Cody–Waite range reduction + the Cephes expf minimax polynomial (≈1 ulp on
// [-87.3, 88.37]); below −87.3 it returns 0, above 88.37 (= 127.5·ln 2) +inf, NaN stays NaN. Tests compare them against
// Double references over a dense grid.

public enum FastMath {
  @inlinable @inline(__always)
  public static func exp(_ x: Float) -> Float {
    let xc = Swift.min(Swift.max(x, -87.33654), 88.3762626647949)
    // Round x·log2(e) to an integer with the 1.5·2²³ trick (keeps everything in vector registers).
    let t = xc * 1.44269504088896341 + 12582912.0
    let n = t - 12582912.0
    let r = xc - n * 0.693359375 + n * 2.12194440e-4
    var p: Float = 1.9875691500e-4
    p = p * r + 1.3981999507e-3
    p = p * r + 8.3334519073e-3
    p = p * r + 4.1665795894e-2
    p = p * r + 1.6666665459e-1
    p = p * r + 5.0000001201e-1
    let y = p * r * r + r + 1
    let k = Int32(bitPattern: t.bitPattern) &- 0x4B40_0000          // round(x·log2 e)
    let scale = Float(bitPattern: UInt32(bitPattern: (k &+ 127) << 23))
    var v = y * scale
    v = x < -87.33654 ? 0 : v
    v = x > 88.3762626647949 ? Float.infinity : v
    return x.isNaN ? x : v
  }

  @inlinable @inline(__always)
  public static func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }

  /// tanh: odd series for |x| < 1/16, 1 − 2/(e^{2|x|} + 1) otherwise (abs error ≲ 2e-7).
  @inlinable @inline(__always)
  public static func tanh(_ x: Float) -> Float {
    let a = Swift.abs(x)
    let e = exp(Swift.min(2 * a, 88))
    let big = 1 - 2 / (e + 1)
    let x2 = x * x
    let small = a * (1 + x2 * (-0.333333333 + x2 * (0.133333333 - x2 * 0.0539682540)))
    let m = a < 0.0625 ? small : big
    return x.isNaN ? x : (x < 0 ? -m : m)
  }

  /// y[i] = exp(x[i]) over a buffer.
  @inlinable public static func exp(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    for i in 0..<n { y[i] = exp(x[i]) }
  }
  /// y[i] = tanh(x[i]) over a buffer.
  @inlinable public static func tanh(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    for i in 0..<n { y[i] = tanh(x[i]) }
  }
}
