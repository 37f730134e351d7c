// The C kernels (Sources/CQuantKernels) behind QuantizedMatrix's products: int8-activation dot kernels for
// Q4_0/Q4_1/Q5_0/Q5_1/Q8_0/Q2_K/Q3_K/Q4_K/Q5_K/Q6_K, direct 16-bit kernels for F16/BF16 (float activations), the
// int8 GEMM, and the shared thread pool. The C code picks AVX-512 VNNI, AVX2 or portable C at run time; all three return
// bit-identical results (one canonical accumulation order), and `QuantKernelLevel.set` forces a lower level
// (tests run both the SIMD and the portable path; EDGELAB_QK_LEVEL=0 does the same for a whole process).
import CQuantKernels

/// Which implementation of the C kernels runs.
public enum QuantKernelLevel: Int, Sendable, CustomStringConvertible {
  case portable = 0, avx2 = 1, avx512vnni = 2

  /// The best level this CPU supports.
  public static var best: QuantKernelLevel { QuantKernelLevel(rawValue: Int(qk_best_level())) ?? .portable }
  /// The level in use.
  public static var current: QuantKernelLevel { QuantKernelLevel(rawValue: Int(qk_level())) ?? .portable }
  /// Use `level` (clamped to what the CPU supports); returns the level now in use.
  @discardableResult
  public static func set(_ level: QuantKernelLevel) -> QuantKernelLevel {
    QuantKernelLevel(rawValue: Int(qk_set_level(Int32(level.rawValue)))) ?? .portable
  }

  public var description: String {
    switch self { case .portable: return "portable C"; case .avx2: return "AVX2"; case .avx512vnni: return "AVX-512 VNNI" }
  }
}

/// Activation rows quantized to int8 blocks of 32 in the C kernels' layout (d = amax/127, q = round-half-away(x/d),
/// isum = Σq, s = d·isum per block; ds = interleaved (d, s) pairs and nls = negated sums of each 4 codes, both
/// derived for the AVX-512 kernels).
struct Q8Rows {
  var q: [Int8]
  var d: [Float]
  var s: [Float]
  var isum: [Int32]
  var ds: [Float]
  var nls: [Int32]
  let n: Int
  let cols: Int

  init(_ X: UnsafePointer<Float>, n: Int, cols: Int) {
    self.n = n; self.cols = cols
    let nb = cols / 32
    q = [Int8](repeating: 0, count: n * cols)
    d = [Float](repeating: 0, count: n * nb); s = d
    isum = [Int32](repeating: 0, count: n * nb)
    ds = [Float](repeating: 0, count: 2 * n * nb)
    nls = [Int32](repeating: 0, count: 8 * n * nb)
    withAct { a in withUnsafePointer(to: a) { qk_quantize_rows(X, Int64(n), Int64(cols), $0) } }
  }

  /// The C view of the buffers (valid inside `body` only); `x` = the float rows, for the direct 16-bit kernels.
  mutating func withAct<R>(x: UnsafePointer<Float>? = nil, _ body: (qk_act) -> R) -> R {
    q.withUnsafeMutableBufferPointer { qp in d.withUnsafeMutableBufferPointer { dp in
      s.withUnsafeMutableBufferPointer { sp in isum.withUnsafeMutableBufferPointer { ip in
        ds.withUnsafeMutableBufferPointer { dsp in nls.withUnsafeMutableBufferPointer { np in
          body(qk_act(q: qp.baseAddress!, d: dp.baseAddress!, s: sp.baseAddress!, isum: ip.baseAddress!,
                      ds: dsp.baseAddress!, nls: np.baseAddress!, x: x))
        } }
      } }
    } }
  }
}

/// One output of a grouped product: Y[i·rows + r] (=|+=) W_r · x_i.
public struct QuantizedProduct {
  public let matrix: QuantizedMatrix
  public let output: UnsafeMutablePointer<Float>
  public let accumulate: Bool
  public init(_ matrix: QuantizedMatrix, into output: UnsafeMutablePointer<Float>, accumulate: Bool = false) {
    self.matrix = matrix; self.output = output; self.accumulate = accumulate
  }
}

extension QuantizedMatrix {
  /// Types with a C kernel for products with few activation rows: the int8-activation dot kernels or the direct
  /// 16-bit kernels (F16, BF16).
  public static func hasCKernel(_ t: GGMLType) -> Bool { hasInt8Kernel(t) || hasDirect16Kernel(t) }
  /// Types with an int8-activation dot kernel (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K).
  public static func hasInt8Kernel(_ t: GGMLType) -> Bool { qk_supports(Int32(t.rawValue)) != 0 }
  /// Types with a direct 16-bit kernel (F16, BF16: weights widened in registers, float activations).
  public static func hasDirect16Kernel(_ t: GGMLType) -> Bool { qk_supports_direct16(Int32(t.rawValue)) != 0 }

  /// Several matrices applied to the same n activation rows X (n × cols), in one parallel region: the dot kernels
  /// (`qk_matmul`; every matrix has a C kernel; X is quantized once when any matrix is an int8 type) or, with
  /// `gemm`, the int8 GEMM (`qk_gemm`, all matrices with a GEMM kernel). All matrices have `cols` columns.
  static func cProduct(_ products: [QuantizedProduct], _ X: UnsafePointer<Float>, n: Int, cols: Int, threads: Int, gemm: Bool) {
    var mats = products.map { p in
      qk_matrix(type: Int32(p.matrix.type.rawValue), accumulate: p.accumulate ? 1 : 0,
                w: p.matrix.rowPointer(0), row_bytes: Int64(p.matrix.rowBytes), rows: Int64(p.matrix.rows),
                y: p.output, ldy: Int64(p.matrix.rows))
    }
    let kernel = gemm ? qk_gemm : qk_matmul
    func run(_ a: qk_act) {
      withUnsafePointer(to: a) { ap in
        mats.withUnsafeMutableBufferPointer { mp in
          kernel(mp.baseAddress!, Int32(mp.count), Int64(n), Int64(cols), ap, Int32(max(1, threads)))
        }
      }
    }
    if gemm || products.contains(where: { hasInt8Kernel($0.matrix.type) }) {
      var act = Q8Rows(X, n: n, cols: cols)
      act.withAct(x: X) { run($0) }
    } else {
      run(qk_act(q: nil, d: nil, s: nil, isum: nil, ds: nil, nls: nil, x: X))
    }
  }

  /// Types with an int8-activation GEMM for batches (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q4_K, Q5_K).
  public static func hasGemmKernel(_ t: GGMLType) -> Bool { qk_supports(Int32(t.rawValue)) != 0 && qk_gemm_supports(Int32(t.rawValue)) != 0 }

  /// True when a batch of n ≥ gemmThreshold rows through this matrix runs the int8-activation GEMM.
  public var usesInt8Gemm: Bool { QuantizedMatrix.batchActivations == .int8 && QuantizedMatrix.hasGemmKernel(type) && cols > 0 }

  /// Products of several matrices with the same input columns: one activation quantization and one parallel region
  /// when every matrix has a C kernel and n is below the gemm threshold (int8 dot kernels, direct 16-bit kernels) or
  /// every matrix uses the int8 GEMM (n at or above it), else one `matmul` each.
  public static func matmulGroup(_ products: [QuantizedProduct], _ X: UnsafePointer<Float>, n: Int, threads: Int? = nil) {
    guard n > 0, let first = products.first else { return }
    let nt = max(1, threads ?? QuantizedMatrix.defaultThreads)
    let cols = first.matrix.cols
    if n < gemmThreshold, cols > 0, !decodeRowsToFloat,
       products.allSatisfy({ hasCKernel($0.matrix.type) && $0.matrix.cols == cols && $0.matrix.rows > 0 }) {
      cProduct(products, X, n: n, cols: cols, threads: nt, gemm: false)
      return
    }
    if n >= gemmThreshold, cols > 0,
       products.allSatisfy({ $0.matrix.usesInt8Gemm && $0.matrix.cols == cols && $0.matrix.rows > 0 }) {
      cProduct(products, X, n: n, cols: cols, threads: nt, gemm: true)
      return
    }
    for p in products {
      if !p.accumulate { p.matrix.matmul(X, n: n, into: p.output, threads: nt); continue }
      let m = p.matrix
      withUnsafeTemporaryAllocation(of: Float.self, capacity: n * m.rows) { t in
        m.matmul(X, n: n, into: t.baseAddress!, threads: nt)
        for i in 0..<(n * m.rows) { p.output[i] += t[i] }
      }
    }
  }
}

/// Run body(i) for i in 0..<count on up to `threads` threads of the shared pool (the caller included). Each index runs
/// exactly once; nested calls run serially.
public func parallelFor(_ count: Int, threads: Int, _ body: (Int) -> Void) {
  guard count > 0 else { return }
  if threads <= 1 || count == 1 { for i in 0..<count { body(i) }; return }
  withoutActuallyEscaping(body) { esc in
    let box = ParallelBody(esc)
    let ctx = Unmanaged.passUnretained(box).toOpaque()
    qk_parallel_for(Int64(count), Int32(threads), { ctx, i in
      Unmanaged<ParallelBody>.fromOpaque(ctx!).takeUnretainedValue().body(Int(i))
    }, ctx)
    withExtendedLifetime(box) {}
  }
}

private final class ParallelBody {
  let body: (Int) -> Void
  init(_ body: @escaping (Int) -> Void) { self.body = body }
}
