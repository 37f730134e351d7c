// GPTQ Hessian of a linear layer's input: H = (2/n) Σ_t x_t x_tᵀ over the n calibration rows seen so far,
// accumulated batch by batch with BLAS (ssyrk) exactly like the reference's running rescale
// H ← H·n/(n+m) + (2/(n+m))·XᵀX, so memory stays cols × cols whatever the number of tokens.
import CBLAS

public struct GPTQHessian: Sendable {
  public let cols: Int
  public private(set) var samples: Int = 0
  /// Lower triangle valid while accumulating; `matrix` returns the symmetric matrix.
  var h: [Float]

  public init(cols: Int) {
    self.cols = cols
    h = [Float](repeating: 0, count: cols * cols)
  }

  /// Add `n` activation rows X (n × cols, row-major).
  public mutating func add(_ X: UnsafePointer<Float>, rows n: Int) {
    guard n > 0, cols > 0 else { return }
    let total = samples + n
    let beta = Float(Double(samples) / Double(total)), alpha = Float(2.0 / Double(total))
    let c = cols
    h.withUnsafeMutableBufferPointer { hp in
      cblas_ssyrk(CblasRowMajor, CblasLower, CblasTrans, Int32(c), Int32(n), alpha, X, Int32(c), beta,
                  hp.baseAddress!, Int32(c))
    }
    samples = total
  }

  public mutating func add(_ X: [Float], rows n: Int) throws {
    guard X.count == n * cols else {
      throw LinalgError.shape("Hessian: X has \(X.count) values, expected \(n)×\(cols)")
    }
    X.withUnsafeBufferPointer { add($0.baseAddress!, rows: n) }
  }

  /// The symmetric H as Double, row-major.
  public var matrix: [Double] {
    var m = [Double](repeating: 0, count: cols * cols)
    for i in 0..<cols {
      for j in 0...i { let v = Double(h[i * cols + j]); m[i * cols + j] = v; m[j * cols + i] = v }
    }
    return m
  }
}
