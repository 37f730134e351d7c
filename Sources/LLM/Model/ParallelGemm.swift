// Dense products (every n) and kept-quantized batches (prefill, scoring) on the shared thread pool. The output columns (weight rows) of every matrix are
// cut into fixed chunks of `chunkRows` rows; each chunk is one single-threaded sgemm (a kept-quantized chunk is
// first decoded into a per-task Float buffer). The chunking does not depend on the thread count and every chunk is
// computed by exactly one thread, so results are identical for any number of threads — unlike OpenBLAS's own
// threading, whose partition changes the rounding. OpenBLAS runs with one thread inside the region (no second pool
// competing for the cores) and gets its previous thread count back afterwards.
import CBLAS
import TensorCore

enum ParallelGemm {
  /// Weight rows per task: a multiple of the sgemm micro-tiles that divides SmolLM2's widths (576, 192, 1536).
  static let chunkRows = 96

  /// ys[k][n × ws[k].rows] (=|+=) x[n × cols] · ws[k]ᵀ.
  static func run(_ ws: [WeightMatrix], _ x: UnsafePointer<Float>, n: Int, into ys: [UnsafeMutablePointer<Float>],
                  accumulate: Bool, threads: Int) {
    var tasks = [(m: Int, r0: Int, r1: Int)]()
    for (k, w) in ws.enumerated() {
      var r = 0
      while r < w.rows { tasks.append((k, r, min(w.rows, r + chunkRows))); r += chunkRows }
    }
    guard !tasks.isEmpty else { return }
    withSingleThreadedBLAS {
      parallelFor(tasks.count, threads: threads) { t in
        let (k, r0, r1) = tasks[t]
        let w = ws[k], rows = r1 - r0, cols = w.cols
        let y = ys[k] + r0
        let beta: Float = accumulate ? 1 : 0
        switch w.storage {
        case let .f32(v):
          v.withUnsafeBufferPointer { wb in
            if n == 1 {
              cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(rows), Int32(cols), 1, wb.baseAddress! + r0 * cols, Int32(cols),
                          x, 1, beta, y, 1)
            } else {
              cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(rows), Int32(cols), 1, x, Int32(cols),
                          wb.baseAddress! + r0 * cols, Int32(cols), beta, y, Int32(w.rows))
            }
          }
        case let .quantized(q):
          let buf = UnsafeMutablePointer<Float>.allocate(capacity: rows * cols)
          defer { buf.deallocate() }
          for r in 0..<rows { q.dequantizeRow(r0 + r, into: buf + r * cols) }
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(rows), Int32(cols), 1, x, Int32(cols),
                      buf, Int32(cols), beta, y, Int32(w.rows))
        }
      }
    }
  }

  /// Run `body` with OpenBLAS on one thread (restored afterwards).
  static func withSingleThreadedBLAS<R>(_ body: () throws -> R) rethrows -> R {
    let saved = openblas_get_num_threads()
    if saved != 1 { openblas_set_num_threads(1) }
    defer { if saved != 1 { openblas_set_num_threads(saved) } }
    return try body()
  }

  /// body(r0, r1) over [0, n) in fixed blocks of `block` rows on the pool (serial when n is small).
  static func rows(_ n: Int, block: Int = 16, threads: Int, _ body: (Int, Int) -> Void) {
    if threads <= 1 || n < 2 * block { body(0, n); return }
    let tasks = (n + block - 1) / block
    parallelFor(tasks, threads: threads) { t in body(t * block, min(n, (t + 1) * block)) }
  }
}
