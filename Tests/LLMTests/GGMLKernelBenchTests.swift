// Opt-in kernel timing (EDGELAB_SLOW_TESTS=1): prints matvec GB/s vs memcpy; asserts only that it ran.
import XCTest
@testable import LLM

final class GGMLKernelBenchTests: XCTestCase {
  func testKernelThroughput() throws {
    guard ProcessInfo.processInfo.environment["EDGELAB_SLOW_TESTS"] == "1" else { throw XCTSkip("set EDGELAB_SLOW_TESTS=1") }
    let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?"
    print("loadavg: \(load)")
    let rs = try QuantKernelBench.run(types: [.q8_0, .q4_0, .q4_1, .q5_0, .q4_K, .q6_K, .f16, .f32],
                                      rows: 1536, cols: 768, threads: [1, 2])
    for r in rs {
      print(String(format: "%-5@ %4dx%-4d t=%d  %8.1f us  %6.2f GB/s  memcpy %6.2f GB/s  ratio %.2f  %.1f GFLOP/s",
                   r.type, r.rows, r.cols, r.threads, r.secondsPerMatvec * 1e6, r.kernelGBps, r.memcpyGBps,
                   r.ratioToMemcpy, r.gflops))
      XCTAssertGreaterThan(r.kernelGBps, 0)
    }
  }
}
