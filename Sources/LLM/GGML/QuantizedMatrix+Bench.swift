// Kernel throughput measurement for QuantizedMatrix.matvec: weight bytes streamed per second, against a
// memcpy of the same number of bytes measured in the same run. Used by `edgelab bench` and the slow tests.
import Foundation

public struct QuantKernelBenchResult: Codable, Sendable {
  public let type: String
  public let rows: Int
  public let cols: Int
  public let threads: Int
  public let bytes: Int
  public let secondsPerMatvec: Double
  public let kernelGBps: Double
  public let memcpyGBps: Double
  public var ratioToMemcpy: Double { kernelGBps / memcpyGBps }
  public let gflops: Double
}

public enum QuantKernelBench {
  /// Monotonic seconds (arbitrary origin).
  public static func now() -> Double {
    var ts = timespec(); clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
  }

  /// Median seconds of `body` over `reps` runs of `inner` calls each.
  static func time(reps: Int, inner: Int, _ body: () -> Void) -> Double {
    body()
    var ts: [Double] = []
    for _ in 0..<reps {
      let t0 = now()
      for _ in 0..<inner { body() }
      ts.append((now() - t0) / Double(inner))
    }
    return ts.sorted()[ts.count / 2]
  }

  /// memcpy throughput (bytes read per second) for `bytes`-sized buffers, split over `threads` threads.
  public static func memcpyGBps(bytes: Int, threads: Int, reps: Int = 7) -> Double {
    let src = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
    let dst = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
    defer { src.deallocate(); dst.deallocate() }
    memset(src, 1, bytes); memset(dst, 0, bytes)
    let inner = max(1, (64 << 20) / max(bytes, 1))
    let t = time(reps: reps, inner: inner) {
      if threads <= 1 { memcpy(dst, src, bytes); return }
      let per = (bytes + threads - 1) / threads
      DispatchQueue.concurrentPerform(iterations: threads) { i in
        let o = i * per, n = min(per, bytes - o)
        if n > 0 { memcpy(dst + o, src + o, n) }
      }
    }
    return Double(bytes) / t / 1e9
  }

  /// Time matvec for each type on a seeded random `rows × cols` matrix.
  public static func run(types: [GGMLType], rows: Int, cols: Int, threads: [Int], seed: UInt64 = 1,
                         reps: Int = 7) throws -> [QuantKernelBenchResult] {
    var state = seed
    var w = [Float](repeating: 0, count: rows * cols)
    for i in 0..<w.count {                                     // cheap LCG noise: only timing matters here
      state = state &* 6364136223846793005 &+ 1442695040888963407
      w[i] = Float(Int64(bitPattern: state) >> 40) * 1e-7
    }
    let x = (0..<cols).map { Float(($0 * 37) % 101) / 50 - 1 }
    var out: [QuantKernelBenchResult] = []
    for t in types {
      let m = try QuantizedMatrix(quantizing: w, rows: rows, cols: cols, type: t)
      var y = [Float](repeating: 0, count: rows)
      for nt in threads {
        let inner = max(1, (32 << 20) / max(m.byteCount, 1))
        let sec = x.withUnsafeBufferPointer { xp in
          y.withUnsafeMutableBufferPointer { yp in
            time(reps: reps, inner: inner) { m.matvec(xp.baseAddress!, into: yp.baseAddress!, threads: nt) }
          }
        }
        let mc = memcpyGBps(bytes: m.byteCount, threads: nt, reps: reps)
        out.append(QuantKernelBenchResult(type: t.description, rows: rows, cols: cols, threads: nt,
                                          bytes: m.byteCount, secondsPerMatvec: sec,
                                          kernelGBps: Double(m.byteCount) / sec / 1e9, memcpyGBps: mc,
                                          gflops: 2 * Double(rows * cols) / sec / 1e9))
      }
    }
    return out
  }
}
