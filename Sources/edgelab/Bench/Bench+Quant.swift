import Compression
import Foundation
import LLM
import TensorCore

/// `edgelab bench quant`: ggml block kernels and quantizers.
/// - QuantizedMatrix.matvec weight-streaming rate (GB/s of block bytes) per type, 1 and 2 threads, against a
///   memcpy of the same bytes (cache-resident at this size) measured in the same run; and on a matrix larger
///   than the caches against a large memcpy (the DRAM bandwidth bound of decode).
/// - RTN quantization and dequantization rates (input Float bytes per second) against memcpy of those bytes.
/// - GPTQ time on SmolLM2-135M layer shapes (synthetic correlated calibration inputs), extrapolated to 30 layers.
extension BenchSuite {
  static let quant = BenchSuite(name: "quant", summary: "ggml block kernels (GB/s vs memcpy), RTN/dequant rates, GPTQ time") { report in
    let quick = report.quick
    let reps = quick ? 3 : 7
    let rows = 1536, cols = 768
    report.note("matvec_shape", "\(rows)x\(cols)")
    let rs = try QuantKernelBench.run(types: [.q8_0, .q4_0, .q4_1, .q5_0, .q4_K, .q6_K, .q3_K, .f16, .f32],
                                      rows: rows, cols: cols, threads: [1, 2], reps: reps)
    for r in rs {
      report.record("matvec_\(r.type)_t\(r.threads)_GBps", r.kernelGBps, unit: "GB/s", lowerIsBetter: false,
                    extra: ["memcpy_GBps": r.memcpyGBps, "ratio_to_memcpy": r.ratioToMemcpy, "gflops": r.gflops,
                            "us_per_matvec": r.secondsPerMatvec * 1e6, "bytes": r.bytes])
    }
    // Beyond the caches: decode-like streaming.
    let bigRows = quick ? 4096 : 16384, bigCols = 2048
    let big = try QuantKernelBench.run(types: [.q4_1, .q8_0], rows: bigRows, cols: bigCols, threads: [1, 2], reps: reps)
    for r in big {
      let dram = QuantKernelBench.memcpyGBps(bytes: 256 << 20, threads: r.threads, reps: 3)
      report.record("matvec_large_\(r.type)_t\(r.threads)_GBps", r.kernelGBps, unit: "GB/s", lowerIsBetter: false,
                    extra: ["dram_memcpy_GBps": dram, "ratio_to_dram_memcpy": r.kernelGBps / dram,
                            "shape": "\(bigRows)x\(bigCols)", "bytes": r.bytes])
    }
    // RTN and dequantization throughput over a 4M-weight matrix.
    let n = quick ? 1 << 20 : 1 << 22
    var rng = RNG(seed: 7)
    let w = (0..<n).map { _ in Float(rng.normal()) * 0.02 }
    let memF = QuantKernelBench.memcpyGBps(bytes: n * 4, threads: 2, reps: 3)
    for t in [GGMLType.q8_0, .q4_0, .q4_1, .q4_K] {
      var m: QuantizedMatrix? = nil
      let tq = try BenchReport.time(repeats: reps) { m = try RTN.quantize(w, rows: n / 2048, cols: 2048, type: t, threads: 2) }.median
      report.record("rtn_\(t)_GBps", Double(n * 4) / tq / 1e9, unit: "GB/s (F32 in)", lowerIsBetter: false,
                    extra: ["memcpy_GBps": memF, "ratio_to_memcpy": Double(n * 4) / tq / 1e9 / memF])
      var out = [Float](repeating: 0, count: n)
      let qm = m!
      let td = try BenchReport.time(repeats: reps) {
        try out.withUnsafeMutableBufferPointer { op in
          try GGMLCodec.dequantize(t, qm.storage.base + qm.offset, count: n, into: op.baseAddress!)
        }
      }.median
      report.record("dequantize_\(t)_GBps", Double(n * 4) / td / 1e9, unit: "GB/s (F32 out)", lowerIsBetter: false,
                    extra: ["threads": 1])
    }
    // GPTQ on SmolLM2 layer shapes.
    let layers = quick ? 1 : 2, tokens = quick ? 512 : 2048
    let d = 576, kv = 192, ffn = 1536
    var tH = 0.0, tF = 0.0, tQ = 0.0
    for _ in 0..<layers {
      let inputs: [(Int, [(Int, Int)])] = [(d, [(d, d), (kv, d), (kv, d)]), (d, [(d, d)]), (d, [(ffn, d), (ffn, d)]), (ffn, [(d, ffn)])]
      for (c, mats) in inputs {
        let k = 16
        let z = (0..<(tokens * k)).map { _ in Float(rng.normal()) }
        let mix = (0..<(k * c)).map { _ in Float(rng.normal()) * 0.25 }
        var X = [Float](repeating: 0, count: tokens * c)
        for t in 0..<tokens { for j in 0..<c {
          var s: Float = 0.1 * Float(rng.normal()); for a in 0..<k { s += z[t * k + a] * mix[a * c + j] }
          X[t * c + j] = s
        } }
        var h = GPTQHessian(cols: c)
        tH += try BenchReport.time(repeats: 1, warmup: 0) {
          for b in 0..<(tokens / 256) { X.withUnsafeBufferPointer { h.add($0.baseAddress! + b * 256 * c, rows: 256) } }
        }.median
        var f: GPTQFactor? = nil
        tF += try BenchReport.time(repeats: 1, warmup: 0) { f = try GPTQFactor(hessian: h) }.median
        for (r, cc) in mats {
          let W = (0..<(r * cc)).map { _ in Float(rng.normal()) * 0.02 }
          tQ += try BenchReport.time(repeats: 1, warmup: 0) { _ = try GPTQ.quantize(W, rows: r, cols: cc, type: .q4_0, factor: f!) }.median
        }
      }
    }
    let L = Double(layers)
    report.record("gptq_smollm2_30_layers_s (extrapolated)", (tH + tF + tQ) / L * 30, unit: "s", target: 300,
                  extra: ["hessian_s_per_layer": tH / L, "factor_s_per_layer": tF / L, "quantize_s_per_layer": tQ / L,
                          "calibration_tokens": tokens, "layers_timed": layers, "type": "Q4_0"])
  }
}
