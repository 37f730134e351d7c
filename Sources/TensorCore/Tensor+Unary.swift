// Unary elementwise ops and tensor–scalar arithmetic. Each activation is a small kernel type with its
// derivative expressed through the input x and the output y, so forward and backward are plain loops.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

protocol UnaryKernel {
  static var name: String { get }
  static func f(_ x: Float) -> Float
  /// dy/dx given x and y = f(x).
  static func df(_ x: Float, _ y: Float) -> Float
  /// y[i] = f(x[i]) over a buffer (FastMath's C buffer forms where one exists: the same bits, SIMD).
  static func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int)
}

extension UnaryKernel {
  @inline(__always) static func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    for i in 0..<n { y[i] = f(x[i]) }
  }
}

enum TanhK: UnaryKernel {
  static let name = "tanh"
  @inline(__always) static func f(_ x: Float) -> Float { FastMath.tanh(x) }
  @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { 1 - y * y }
  static func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { FastMath.tanh(x, y, n) }
}
enum ReluK: UnaryKernel {
  static let name = "relu"
  @inline(__always) static func f(_ x: Float) -> Float { x > 0 ? x : 0 }
  @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { x > 0 ? 1 : 0 }
}
enum SigmoidK: UnaryKernel {
  static let name = "sigmoid"
  @inline(__always) static func f(_ x: Float) -> Float { FastMath.sigmoid(x) }
  @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { y * (1 - y) }
  static func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { FastMath.sigmoid(x, y, n) }
}
enum SiluK: UnaryKernel {
  static let name = "silu"
  @inline(__always) static func f(_ x: Float) -> Float { x / (1 + FastMath.exp(-x)) }
  @inline(__always) static func df(_ x: Float, _ y: Float) -> Float {
    let s = FastMath.sigmoid(x)
    return s * (1 + x * (1 - s))
  }
}
/// GELU, tanh approximation (as in GPT-2 / `gelu_pytorch_tanh`).
enum GeluTanhK: UnaryKernel {
  static let name = "gelu_tanh"
  static let c: Float = 0.7978845608028654  // sqrt(2/pi)
  @inline(__always) static func f(_ x: Float) -> Float { 0.5 * x * (1 + FastMath.tanh(c * (x + 0.044715 * x * x * x))) }
  @inline(__always) static func df(_ x: Float, _ y: Float) -> Float {
    let u = c * (x + 0.044715 * x * x * x)
    let t = FastMath.tanh(u)
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x)
  }
}
/// GELU, exact: x·Φ(x).
enum GeluErfK: UnaryKernel {
  static let name = "gelu"
  @inline(__always) static func f(_ x: Float) -> Float { 0.5 * x * (1 + erff(x * 0.7071067811865476)) }
  @inline(__always) static func df(_ x: Float, _ y: Float) -> Float {
    0.5 * (1 + erff(x * 0.7071067811865476)) + x * 0.3989422804014327 * expf(-0.5 * x * x)
  }
}
enum ExpK: UnaryKernel {
  static let name = "exp"
  @inline(__always) static func f(_ x: Float) -> Float { FastMath.exp(x) }
  @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { y }
  static func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { FastMath.exp(x, y, n) }
}
enum LogK: UnaryKernel {
  static let name = "log"
  @inline(__always) static func f(_ x: Float) -> Float { logf(x) }
  @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { 1 / x }
}
enum SqrtK: UnaryKernel {
  static let name = "sqrt"
  @inline(__always) static func f(_ x: Float) -> Float { x.squareRoot() }
  @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { 0.5 / y }
}
enum SquareK: UnaryKernel {
  static let name = "square"
  @inline(__always) static func f(_ x: Float) -> Float { x * x }
  @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { 2 * x }
}
enum NegK: UnaryKernel {
  static let name = "neg"
  @inline(__always) static func f(_ x: Float) -> Float { -x }
  @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { -1 }
}
enum AbsK: UnaryKernel {
  static let name = "abs"
  @inline(__always) static func f(_ x: Float) -> Float { Swift.abs(x) }
  @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { x > 0 ? 1 : (x < 0 ? -1 : 0) }
}

public enum GELUApproximation: String, Sendable { case exact, tanh }

extension Tensor {
  func unary<K: UnaryKernel>(_: K.Type) -> Tensor {
    let out = Tensor(uninitialized: shape)
    let x = data, y = out.data, n = count
    K.forward(x, y, n)
    if needsGrad(self) {
      out.record(K.name, [self]) { [unowned out] g in
        self.withGradBuffer { dst, acc in
          let gp = g.data, yp = out.data
          if acc { for i in 0..<n { dst[i] += gp[i] * K.df(x[i], yp[i]) } }
          else { for i in 0..<n { dst[i] = gp[i] * K.df(x[i], yp[i]) } }
        }
      }
    }
    return out
  }

  public func tanh() -> Tensor { unary(TanhK.self) }
  public func relu() -> Tensor { unary(ReluK.self) }
  public func sigmoid() -> Tensor { unary(SigmoidK.self) }
  public func silu() -> Tensor { unary(SiluK.self) }
  public func gelu(_ approximation: GELUApproximation = .exact) -> Tensor {
    approximation == .exact ? unary(GeluErfK.self) : unary(GeluTanhK.self)
  }
  public func exp() -> Tensor { unary(ExpK.self) }
  public func log() -> Tensor { unary(LogK.self) }
  public func sqrt() -> Tensor { unary(SqrtK.self) }
  public func square() -> Tensor { unary(SquareK.self) }
  public func abs() -> Tensor { unary(AbsK.self) }
  public static prefix func - (a: Tensor) -> Tensor { a.unary(NegK.self) }

  /// y = x·s + c (affine with scalars; the building block of tensor–scalar arithmetic).
  public func affine(scale s: Float, shift c: Float = 0) -> Tensor {
    let out = Tensor(uninitialized: shape)
    let x = data, y = out.data, n = count
    for i in 0..<n { y[i] = x[i] * s + c }
    if needsGrad(self) {
      out.record("affine", [self]) { g in
        self.withGradBuffer { dst, acc in
          let gp = g.data
          if acc { for i in 0..<n { dst[i] += gp[i] * s } } else { for i in 0..<n { dst[i] = gp[i] * s } }
        }
      }
    }
    return out
  }

  /// Clamp to [lo, hi]; gradient passes where lo < x < hi (as in PyTorch's clamp, boundary included).
  public func clamped(min lo: Float, max hi: Float) -> Tensor {
    let out = Tensor(uninitialized: shape)
    let x = data, y = out.data, n = count
    for i in 0..<n { y[i] = Swift.min(Swift.max(x[i], lo), hi) }
    if needsGrad(self) {
      out.record("clamp", [self]) { g in
        self.withGradBuffer { dst, acc in
          let gp = g.data
          for i in 0..<n {
            let v: Float = (x[i] >= lo && x[i] <= hi) ? gp[i] : 0
            dst[i] = acc ? dst[i] + v : v
          }
        }
      }
    }
    return out
  }

  /// x^p for a scalar exponent (x > 0 where p is not an integer).
  public func pow(_ p: Float) -> Tensor {
    let out = Tensor(uninitialized: shape)
    let x = data, y = out.data, n = count
    for i in 0..<n { y[i] = powf(x[i], p) }
    if needsGrad(self) {
      out.record("pow", [self]) { g in
        self.withGradBuffer { dst, acc in
          let gp = g.data
          for i in 0..<n {
            let v = gp[i] * p * powf(x[i], p - 1)
            dst[i] = acc ? dst[i] + v : v
          }
        }
      }
    }
    return out
  }

  public static func * (a: Tensor, s: Float) -> Tensor { a.affine(scale: s) }
  public static func * (s: Float, a: Tensor) -> Tensor { a.affine(scale: s) }
  public static func / (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1 / s) }
  public static func + (a: Tensor, c: Float) -> Tensor { a.affine(scale: 1, shift: c) }
  public static func + (c: Float, a: Tensor) -> Tensor { a.affine(scale: 1, shift: c) }
  public static func - (a: Tensor, c: Float) -> Tensor { a.affine(scale: 1, shift: -c) }
  public static func - (c: Float, a: Tensor) -> Tensor { a.affine(scale: -1, shift: c) }
}
