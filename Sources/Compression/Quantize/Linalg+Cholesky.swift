// Dense symmetric positive-definite linear algebra in Double, for GPTQ's inverse Hessian.
// Blocked right-looking Cholesky: each 64-column panel is factored by a plain loop, then BLAS does the rest
// (dtrsm for the panel below the diagonal, dsyrk for the trailing update). Row-major storage throughout.
import CBLAS

public enum LinalgError: Error, CustomStringConvertible, Equatable {
  case notPositiveDefinite(column: Int, pivot: Double)
  case shape(String)

  public var description: String {
    switch self {
    case let .notPositiveDefinite(c, p):
      return "matrix is not positive definite (pivot \(p) at column \(c)); increase damping"
    case let .shape(s): return "linear algebra shape error: \(s)"
    }
  }
}

public enum Linalg {
  /// In-place lower Cholesky factor: A = L·Lᵀ; the strict upper triangle is zeroed.
  public static func choleskyLower(_ a: inout [Double], n: Int) throws {
    guard a.count == n * n else { throw LinalgError.shape("expected \(n)×\(n), got \(a.count) values") }
    let nb = 64
    try a.withUnsafeMutableBufferPointer { ap in
      let A = ap.baseAddress!
      var k = 0
      while k < n {
        let b = min(nb, n - k)
        // Unblocked factorization of the diagonal panel A[k..<k+b, k..<k+b] (already updated by earlier panels).
        for j in k..<(k + b) {
          var s = A[j * n + j]
          for p in k..<j { s -= A[j * n + p] * A[j * n + p] }
          guard s > 0, s.isFinite else { throw LinalgError.notPositiveDefinite(column: j, pivot: s) }
          let ljj = s.squareRoot()
          A[j * n + j] = ljj
          for i in (j + 1)..<(k + b) {
            var t = A[i * n + j]
            for p in k..<j { t -= A[i * n + p] * A[j * n + p] }
            A[i * n + j] = t / ljj
          }
        }
        let rest = n - k - b
        if rest > 0 {
          // A21 ← A21 · L11⁻ᵀ
          cblas_dtrsm(CblasRowMajor, CblasRight, CblasLower, CblasTrans, CblasNonUnit, Int32(rest), Int32(b), 1,
                      A + k * n + k, Int32(n), A + (k + b) * n + k, Int32(n))
          // A22 ← A22 − A21·A21ᵀ (lower triangle)
          cblas_dsyrk(CblasRowMajor, CblasLower, CblasNoTrans, Int32(rest), Int32(b), -1,
                      A + (k + b) * n + k, Int32(n), 1, A + (k + b) * n + (k + b), Int32(n))
        }
        k += b
      }
      for i in 0..<n { for j in (i + 1)..<max(i + 1, n) { A[i * n + j] = 0 } }
    }
  }

  /// Inverse of a symmetric positive-definite matrix via its Cholesky factor: A⁻¹ = L⁻ᵀ·L⁻¹.
  public static func inverseSPD(_ a: [Double], n: Int) throws -> [Double] {
    var L = a
    return try inverseSPD(factoring: &L, n: n)
  }

  /// The same, factoring `L` in place and releasing it (L = []) once no longer needed, so at most two n×n
  /// matrices are alive at a time (GPTQ's 14336-column FFN Hessian: 1.6 GB each).
  public static func inverseSPD(factoring L: inout [Double], n: Int) throws -> [Double] {
    try choleskyLower(&L, n: n)
    // X = L⁻¹ (solve L·X = I)
    var X = [Double](repeating: 0, count: n * n)
    for i in 0..<n { X[i * n + i] = 1 }
    L.withUnsafeBufferPointer { lp in X.withUnsafeMutableBufferPointer { xp in
      cblas_dtrsm(CblasRowMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, Int32(n), Int32(n), 1,
                  lp.baseAddress!, Int32(n), xp.baseAddress!, Int32(n))
    } }
    L = []
    // A⁻¹ = Xᵀ·X (lower triangle from dsyrk, then mirrored)
    var inv = [Double](repeating: 0, count: n * n)
    X.withUnsafeBufferPointer { xp in inv.withUnsafeMutableBufferPointer { ip in
      cblas_dsyrk(CblasRowMajor, CblasLower, CblasTrans, Int32(n), Int32(n), 1, xp.baseAddress!, Int32(n), 0,
                  ip.baseAddress!, Int32(n))
    } }
    for i in 0..<n { for j in (i + 1)..<max(i + 1, n) { inv[i * n + j] = inv[j * n + i] } }
    return inv
  }

  /// Upper Cholesky factor U of A⁻¹ (A⁻¹ = Uᵀ·U), as GPTQ uses: row i of U holds the error-propagation weights
  /// of column i onto the later columns.
  public static func upperCholeskyOfInverse(_ a: [Double], n: Int) throws -> [Double] {
    var d = a
    return try upperCholeskyOfInverse(factoring: &d, n: n)
  }

  /// The same, consuming `a` (its storage is factored in place and released).
  public static func upperCholeskyOfInverse(factoring a: inout [Double], n: Int) throws -> [Double] {
    var inv = try inverseSPD(factoring: &a, n: n)
    try choleskyLower(&inv, n: n)                          // A⁻¹ = M·Mᵀ, M lower (strict upper zeroed)
    for i in 0..<n { for j in (i + 1)..<max(i + 1, n) {   // U = Mᵀ in place
      inv[i * n + j] = inv[j * n + i]; inv[j * n + i] = 0
    } }
    return inv
  }
}
