// Matrix products through OpenBLAS cblas_sgemm: matmul (2-D, or [..., K] × [K, N]), batched matmul, and the
// fused Linear op y = x·Wᵀ + b. Transposes are BLAS flags, never copies.
import CBLAS
#if canImport(Glibc)
import Glibc
#endif

/// OpenBLAS thread control. Threads default to the active processor count, or `EDGELAB_BLAS_THREADS`.
public enum BLAS {
  static var configured = false
  public static func configureIfNeeded() {
    if configured { return }
    configured = true
    var n = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    if let s = getenv("EDGELAB_BLAS_THREADS"), let v = Int(String(cString: s)), v > 0 { n = v }
    openblas_set_num_threads(Int32(Swift.max(1, n)))
  }
  public static func setThreads(_ n: Int) {
    configured = true
    openblas_set_num_threads(Int32(Swift.max(1, n)))
  }
  public static var threads: Int { configureIfNeeded(); return Int(openblas_get_num_threads()) }

  /// C[M,N] = alpha·op(A)·op(B) + beta·C, row-major, with explicit leading dimensions.
  @inline(__always)
  public static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                           a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                           beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    if !configured { configureIfNeeded() }
    if m == 0 || n == 0 { return }
    if k == 0 {
      for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
      return
    }
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }
}

/// op(A)·op(B). A: [M, K] ([K, M] with transA; without transA any [..., K] is flattened to rows);
/// B: [K, N] ([N, K] with transB). Output: A's leading dims + [N].
public func matmul(_ a: Tensor, _ b: Tensor, transA: Bool = false, transB: Bool = false) throws -> Tensor {
  guard b.rank == 2, a.rank >= 1, !(transA && a.rank != 2) else {
    throw TensorError.shapeMismatch(op: "matmul", lhs: a.shape, rhs: b.shape, detail: "need 2-D operands")
  }
  let k = transA ? a.shape[0] : a.lastDim
  let m = transA ? a.shape[1] : a.rowCount
  let kb = transB ? b.shape[1] : b.shape[0]
  let n = transB ? b.shape[0] : b.shape[1]
  guard k == kb else {
    throw TensorError.shapeMismatch(op: "matmul", lhs: a.shape, rhs: b.shape,
                                    detail: "inner dims \(k) vs \(kb) (transA=\(transA), transB=\(transB))")
  }
  let outShape = transA ? [m, n] : Array(a.shape.dropLast()) + [n]
  let out = Tensor(uninitialized: outShape)
  BLAS.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a.data, lda: a.lastDim, b: b.data,
             ldb: b.lastDim, beta: 0, c: out.data, ldc: n)
  if needsGrad(a, b) {
    out.record("matmul", [a, b]) { g in
      // dA = dC·op(B)ᵀ (stored as A is), dB = op(A)ᵀ·dC (stored as B is).
      a.withGradBuffer { dst, acc in
        if !transA {
          BLAS.sgemm(transA: false, transB: !transB, m: m, n: k, k: n, a: g.data, lda: n, b: b.data,
                     ldb: b.lastDim, beta: acc ? 1 : 0, c: dst, ldc: k)
        } else {
          BLAS.sgemm(transA: transB, transB: true, m: k, n: m, k: n, a: b.data, lda: b.lastDim, b: g.data,
                     ldb: n, beta: acc ? 1 : 0, c: dst, ldc: m)
        }
      }
      b.withGradBuffer { dst, acc in
        if !transB {
          BLAS.sgemm(transA: !transA, transB: false, m: k, n: n, k: m, a: a.data, lda: a.lastDim, b: g.data,
                     ldb: n, beta: acc ? 1 : 0, c: dst, ldc: n)
        } else {
          BLAS.sgemm(transA: true, transB: transA, m: n, n: k, k: m, a: g.data, lda: n, b: a.data,
                     ldb: a.lastDim, beta: acc ? 1 : 0, c: dst, ldc: k)
        }
      }
    }
  }
  return out
}

/// Batched op(A)·op(B) over the leading axis: A [B, M, K] (or [B, K, M]), B [B, K, N] (or [B, N, K]).
public func bmm(_ a: Tensor, _ b: Tensor, transA: Bool = false, transB: Bool = false) throws -> Tensor {
  guard a.rank == 3, b.rank == 3, a.shape[0] == b.shape[0] else {
    throw TensorError.shapeMismatch(op: "bmm", lhs: a.shape, rhs: b.shape, detail: "need [B,·,·] with equal B")
  }
  let bs = a.shape[0]
  let m = transA ? a.shape[2] : a.shape[1], k = transA ? a.shape[1] : a.shape[2]
  let kb = transB ? b.shape[2] : b.shape[1], n = transB ? b.shape[1] : b.shape[2]
  guard k == kb else {
    throw TensorError.shapeMismatch(op: "bmm", lhs: a.shape, rhs: b.shape, detail: "inner dims \(k) vs \(kb)")
  }
  let out = Tensor(uninitialized: [bs, m, n])
  let sa = a.shape[1] * a.shape[2], sb = b.shape[1] * b.shape[2], sc = m * n
  let lda = a.shape[2], ldb = b.shape[2]
  for i in 0..<bs {
    BLAS.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a.data + i * sa, lda: lda,
               b: b.data + i * sb, ldb: ldb, beta: 0, c: out.data + i * sc, ldc: n)
  }
  if needsGrad(a, b) {
    out.record("bmm", [a, b]) { g in
      a.withGradBuffer { dst, acc in
        for i in 0..<bs {
          let gp = g.data + i * sc, bp = b.data + i * sb, d = dst + i * sa
          if !transA {
            BLAS.sgemm(transA: false, transB: !transB, m: m, n: k, k: n, a: gp, lda: n, b: bp, ldb: ldb,
                       beta: acc ? 1 : 0, c: d, ldc: k)
          } else {
            BLAS.sgemm(transA: transB, transB: true, m: k, n: m, k: n, a: bp, lda: ldb, b: gp, ldb: n,
                       beta: acc ? 1 : 0, c: d, ldc: m)
          }
        }
      }
      b.withGradBuffer { dst, acc in
        for i in 0..<bs {
          let gp = g.data + i * sc, ap = a.data + i * sa, d = dst + i * sb
          if !transB {
            BLAS.sgemm(transA: !transA, transB: false, m: k, n: n, k: m, a: ap, lda: lda, b: gp, ldb: n,
                       beta: acc ? 1 : 0, c: d, ldc: n)
          } else {
            BLAS.sgemm(transA: true, transB: transA, m: n, n: k, k: m, a: gp, lda: n, b: ap, ldb: lda,
                       beta: acc ? 1 : 0, c: d, ldc: k)
          }
        }
      }
    }
  }
  return out
}

/// y = x·Wᵀ + b. x: [..., in], W: [out, in], b: [out] or nil. Output: [..., out].
public func linear(_ x: Tensor, _ w: Tensor, bias: Tensor? = nil) throws -> Tensor {
  guard w.rank == 2, x.rank >= 1, x.lastDim == w.shape[1] else {
    throw TensorError.shapeMismatch(op: "linear", lhs: x.shape, rhs: w.shape, detail: "x [..., in] vs W [out, in]")
  }
  let nIn = w.shape[1], nOut = w.shape[0], rows = x.rowCount
  if let b = bias, b.count != nOut {
    throw TensorError.shapeMismatch(op: "linear", lhs: w.shape, rhs: b.shape, detail: "bias must be [out]")
  }
  let out = Tensor(uninitialized: Array(x.shape.dropLast()) + [nOut])
  let o = out.data
  if let b = bias {
    let bp = b.data
    for r in 0..<rows { (o + r * nOut).update(from: bp, count: nOut) }
  }
  BLAS.sgemm(transA: false, transB: true, m: rows, n: nOut, k: nIn, a: x.data, lda: nIn, b: w.data, ldb: nIn,
             beta: bias == nil ? 0 : 1, c: o, ldc: nOut)
  let inputs = bias.map { [x, w, $0] } ?? [x, w]
  if needsGrad(inputs) {
    out.record("linear", inputs) { g in
      x.withGradBuffer { dst, acc in
        BLAS.sgemm(transA: false, transB: false, m: rows, n: nIn, k: nOut, a: g.data, lda: nOut, b: w.data,
                   ldb: nIn, beta: acc ? 1 : 0, c: dst, ldc: nIn)
      }
      w.withGradBuffer { dst, acc in
        BLAS.sgemm(transA: true, transB: false, m: nOut, n: nIn, k: rows, a: g.data, lda: nOut, b: x.data,
                   ldb: nIn, beta: acc ? 1 : 0, c: dst, ldc: nIn)
      }
      if let b = bias {
        b.withGradBuffer { dst, acc in
          if !acc { dst.initialize(repeating: 0, count: nOut) }
          let gp = g.data
          for r in 0..<rows { let row = gp + r * nOut; for j in 0..<nOut { dst[j] += row[j] } }
        }
      }
    }
  }
  return out
}
