// Vectorisable exp / sigmoid / tanh / log1p / expm1 for the hot loops (softmax, cross-entropy, attention, activations).
// Glibc's expf/tanhf are scalar calls; these are branch-free (selects only) so the compiler vectorises the
// loops that use them. exp: Cody–Waite range reduction + the Cephes expf minimax polynomial (≈1 ulp on
// [-87.3, 88.37]); below −87.3 it returns 0, above 88.37 (= 127.5·ln 2) +inf, NaN stays NaN. Tests compare them against
// Double references over a dense grid.
import CQuantKernels

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

  /// ln(x) for a positive normal x (Cephes logf: x = m·2^e with m ∈ [√½, √2), a minimax polynomial in m − 1).
  @inlinable @inline(__always)
  static func logNormal(_ x: Float) -> Float {
    let bits = x.bitPattern
    let e0 = Int32(bitPattern: (bits >> 23) & 0xff) &- 126
    let m = Float(bitPattern: (bits & 0x007f_ffff) | 0x3f00_0000)   // x = m·2^e0, m ∈ [½, 1)
    let small = m < 0.707106781186547524
    let e = small ? e0 &- 1 : e0
    let f = small ? m + m - 1 : m - 1
    let z = f * f
    var p: Float = 7.0376836292e-2
    p = p * f - 1.1514610310e-1
    p = p * f + 1.1676998740e-1
    p = p * f - 1.2420140846e-1
    p = p * f + 1.4249322787e-1
    p = p * f - 1.6668057665e-1
    p = p * f + 2.0000714765e-1
    p = p * f - 2.4999993993e-1
    p = p * f + 3.3333331174e-1
    var y = f * z * p
    let fe = Float(e)
    y += fe * -2.12194440e-4
    y += -0.5 * z
    return f + y + fe * 0.693359375
  }

  /// ln(1 + x): u = 1 + x, ln(u) + (x − (u − 1))/u (the second term restores what rounding 1 + x lost;
  /// Goldberg 1991, §"log1p"); −inf at −1, NaN below; ≈ 1.3 ulp against a Double reference.
  @inlinable @inline(__always)
  public static func log1p(_ x: Float) -> Float {
    let u = 1 + x
    let r = logNormal(Swift.max(u, Float.leastNormalMagnitude)) + (x - (u - 1)) / u
    var v = x == .infinity ? x : r
    v = x == -1 ? -Float.infinity : v
    v = x < -1 ? Float.nan : v
    v = x == 0 ? x : v   // keeps −0
    return x.isNaN ? x : v
  }

  /// e^x − 1: u = e^x, (u − 1)·x / ln(u) for |x| ≤ 1 (Kahan's trick: the rounding of u cancels; x where u = 1),
  /// u − 1 beyond; ≈ 2.5 ulp against a Double reference.
  @inlinable @inline(__always)
  public static func expm1(_ x: Float) -> Float {
    let u = exp(x)
    let um1 = u - 1
    let k = um1 * x / logNormal(Swift.max(u, Float.leastNormalMagnitude))
    var r = u == 1 ? x : k
    r = Swift.abs(x) > 1 ? um1 : r
    return x.isNaN ? x : r
  }

  // Buffer forms: the same formulas in C (Sources/CQuantKernels/qk_vmath.c), AVX-512 / AVX2 / portable chosen at
  // run time, bit-identical to the scalar functions above at every level (FastMathBufferTests). y may be x.
  /// y[i] = exp(x[i]).
  public static func exp(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { qk_vexp(x, y, Int64(n)) }
  /// y[i] = tanh(x[i]).
  public static func tanh(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { qk_vtanh(x, y, Int64(n)) }
  /// y[i] = sigmoid(x[i]).
  public static func sigmoid(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    qk_vsigmoid(x, y, Int64(n))
  }
  /// y[i] = log1p(x[i]).
  public static func log1p(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { qk_vlog1p(x, y, Int64(n)) }
  /// y[i] = expm1(x[i]).
  public static func expm1(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { qk_vexpm1(x, y, Int64(n)) }
  /// y[i] = sign(x[i])·log1p(|x[i]|) (symlog).
  public static func signedLog1p(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    qk_vsymlog(x, y, Int64(n))
  }
  /// y[i] = sign(x[i])·expm1(|x[i]|) (symexp).
  public static func signedExpm1(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    qk_vsymexp(x, y, Int64(n))
  }
}
