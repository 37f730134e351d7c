// Opt-in timing (EDGELAB_SLOW_TESTS=1): GPTQ on SmolLM2-135M layer shapes with synthetic calibration inputs,
// extrapolated to the 30 layers. Prints the split (Hessian accumulation, factorization, quantization).
import Foundation
import XCTest
import TensorCore
import LLM
@testable import Compression

final class QuantGPTQTimingTests: XCTestCase {
  func testSmolLM2LayerTiming() throws {
    guard ProcessInfo.processInfo.environment["EDGELAB_SLOW_TESTS"] == "1" else { throw XCTSkip("set EDGELAB_SLOW_TESTS=1") }
    let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?"
    let d = 576, kv = 192, ffn = 1536, tokens = 2048, layers = 2
    var rng = RNG(seed: 1)
    func randn(_ n: Int, _ s: Float) -> [Float] { (0..<n).map { _ in Float(rng.normal()) * s } }
    func now() -> Double { Date().timeIntervalSince1970 }
    var tH = 0.0, tF = 0.0, tQ = 0.0
    let type = GGMLType.q4_0
    for _ in 0..<layers {
      // inputs: attention block input, attention output input, FFN input, down-projection input
      let inputs: [(Int, [(Int, Int)])] = [(d, [(d, d), (kv, d), (kv, d)]), (d, [(d, d)]), (d, [(ffn, d), (ffn, d)]), (ffn, [(d, ffn)])]
      for (cols, mats) in inputs {
        let base = randn(tokens * 16, 1)
        var X = [Float](repeating: 0, count: tokens * cols)       // correlated: 16 latent factors + noise
        let mix = randn(16 * cols, 0.25)
        for t in 0..<tokens { for j in 0..<cols {
          var s: Float = 0; for a in 0..<16 { s += base[t * 16 + a] * mix[a * cols + j] }
          X[t * cols + j] = s + 0.1 * Float(j % 7)
        } }
        var t0 = now()
        var h = GPTQHessian(cols: cols)
        for c in 0..<(tokens / 256) { X.withUnsafeBufferPointer { h.add($0.baseAddress! + c * 256 * cols, rows: 256) } }
        tH += now() - t0
        t0 = now()
        let f = try GPTQFactor(hessian: h)
        tF += now() - t0
        for (rows, c) in mats {
          let W = randn(rows * c, 0.02)
          t0 = now()
          _ = try GPTQ.quantize(W, rows: rows, cols: c, type: type, factor: f)
          tQ += now() - t0
        }
      }
    }
    let per = (tH + tF + tQ) / Double(layers)
    print(String(format: "GPTQ SmolLM2 shapes (%@, %d tokens): per layer hessian %.3f s, factor %.3f s, quantize %.3f s; 30 layers ≈ %.1f s; loadavg %@",
                 type.description, tokens, tH / Double(layers), tF / Double(layers), tQ / Double(layers), per * 30,
                 load.trimmingCharacters(in: .whitespacesAndNewlines)))
    XCTAssertLessThan(per * 30, 300)
  }
}
