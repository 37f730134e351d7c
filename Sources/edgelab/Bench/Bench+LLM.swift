import CBLAS
import Foundation
import LLM
import TensorCore

/// `edgelab bench llm`: inference speed of the default model (SmolLM2-135M-Instruct).
/// For weights kept Q4_1 (quantized kernels) and dequantized to F32 (OpenBLAS), with 1 and 2 threads:
/// - prefill tokens/s on a 512-token prompt (one batched forward, logits of the last position only);
///   reference: the same model's projection shapes run as bare sgemm calls (n=512 rows; per layer q,k,v,o,
///   gate,up,down plus the output matrix) — prefill_vs_sgemm = sgemm-only time / prefill time (target ≥ 0.6);
/// - decode tokens/s for 128 tokens after a 16-token prompt (one token per forward, KV cache);
///   reference: bytes of weights read per token ÷ copy bandwidth measured here (memcpy of 256 MiB, counting
///   read + write traffic, split across the threads, best of 3) — decode_vs_bandwidth = tok/s ÷ that bound
///   (target ≥ 0.5);
/// - measurement: 5 paired rounds per variant and thread count (model run, then its reference right after);
///   reported times are medians over rounds and the ratios are medians of the per-round ratios (listed in the JSON
///   as round_ratios), so a load spike from other processes hits both sides of a ratio alike;
/// - decode_vs_matvec_only: the weight products alone (one activation row through every matrix, the
///   kernels' own speed) ÷ decode time per token — separates kernel speed from the model code's overhead;
/// - peak RSS (VmHWM, reset per variant) after loading and after a warm-up prefill + decode of each variant (the
///   reference sgemm and copy buffers are allocated after the model's own peak is recorded).
/// With `--compare-llamacpp` the suite instead runs EdgeLab and llama-bench side by side (Bench+LlamaCpp.swift).
extension BenchSuite {
  static let llm = BenchSuite(name: "llm", summary: "SmolLM2 prefill/decode tok/s (Q4_1 kept vs F32), vs sgemm and copy bandwidth; --compare-llamacpp: vs llama-bench on Q4_0/Q8_0") { report in
    if let llamaBench = report.llamaBench { try BenchLlamaCpp.run(report, llamaBench: llamaBench); return }
    let path = CLI.repoRoot().appendingPathComponent("assets/models/SmolLM2-135M-Instruct.Q4_1.gguf").path
    guard FileManager.default.fileExists(atPath: path) else {
      throw BenchLLMError.missing("model \(path) not found: run `edgelab fetch`")
    }
    let promptLen = report.quick ? 64 : 512, decodeLen = report.quick ? 16 : 128
    let repeats = report.quick ? 1 : 5
    report.note("prompt_tokens", promptLen); report.note("decode_tokens", decodeLen)
    report.note("quant_kernel_level", QuantKernelLevel.current.description)
    for variant in ["q4_1", "f32"] {
      BenchLLM.resetPeakRSS()
      let model = try LlamaModel.load(path: path, keepQuantized: variant == "q4_1")
      report.record("\(variant).peak_rss_after_load_mb", BenchLLM.peakRSSMB(), unit: "MB")
      report.record("\(variant).weight_bytes_mb", Double(model.weightBytes) / 1e6, unit: "MB")
      let text = String(repeating: "The quick brown fox jumps over the lazy dog near the river bank, and the children laugh. ", count: 80)
      let ids = Array(model.tokenizer.encode(text).prefix(promptLen))
      var copyBuffers: BenchLLM.CopyBuffers?
      defer { copyBuffers = nil }
      for threads in [1, 2] {
        LLMThreads.set(threads)
        let tag = "\(variant).t\(threads)"
        // Paired rounds: each round times the model and, right after it, its reference, so both see nearly the same
        // machine load (the machine is shared); the ratios are medians of the per-round ratios.
        var cache = model.makeCache(reserve: 16 + decodeLen)
        let firstLogits = try model.forward(tokens: Array(ids.prefix(16)), cache: &cache, lastOnly: true)
        let base = cache
        func prefill() throws { var c = model.makeCache(reserve: promptLen); _ = try model.forward(tokens: ids, cache: &c, lastOnly: true) }
        func decode() throws {
          cache = base
          var logits = firstLogits
          for _ in 0..<decodeLen {
            let t = logits.withUnsafeBufferPointer { Sampling.greedy.sample($0, rng: &BenchLLM.rng) }
            logits = try model.forward(tokens: [t], cache: &cache, lastOnly: true)
          }
        }
        try prefill(); try decode()                                                             // warm-up
        // The model's own peak (before the reference buffers exist); they are freed at the end of the variant.
        if threads == 1 { report.record("\(variant).peak_rss_mb", BenchLLM.peakRSSMB(), unit: "MB") }
        if copyBuffers == nil { copyBuffers = BenchLLM.CopyBuffers() }
        let copy = copyBuffers!
        _ = BenchLLM.sgemmTime(model, n: promptLen, repeats: 1)
        var tps = [Double](), sgs = [Double](), tds = [Double](), bws = [Double]()
        for _ in 0..<repeats {
          tps.append(try BenchReport.time(repeats: 1, warmup: 0) { try prefill() }.median)
          sgs.append(BenchLLM.sgemmTime(model, n: promptLen, repeats: 1, warmup: 0))
          tds.append(try BenchReport.time(repeats: 1, warmup: 0) { try decode() }.median)
          bws.append(copy.bandwidth(threads: threads))
        }
        let mv = try BenchLLM.matvecTime(model, repeats: repeats)
        let bytesPerToken = Double(BenchLLM.bytesPerToken(model))
        let tp = BenchLLM.median(tps), sg = BenchLLM.median(sgs), td = BenchLLM.median(tds), bw = BenchLLM.median(bws)
        let prefillRatio = BenchLLM.median(zip(sgs, tps).map { $0 / $1 })
        let decodeRatios = zip(tds, bws).map { (t, b) in Double(decodeLen) / t / (b / bytesPerToken) }
        let decodeRatio = BenchLLM.median(decodeRatios)
        let decodeRate = Double(decodeLen) / td
        report.record("\(tag).prefill_tok_s", Double(promptLen) / tp, unit: "tok/s")
        report.record("\(tag).prefill_vs_sgemm", prefillRatio, unit: "ratio", target: 0.6, lowerIsBetter: false,
                      extra: ["sgemm_only_s": sg, "prefill_s": tp, "sgemm_gflops": BenchLLM.flops(model, n: promptLen) / sg / 1e9,
                              "round_ratios": zip(sgs, tps).map { $0 / $1 }])
        report.record("\(tag).decode_tok_s", decodeRate, unit: "tok/s")
        report.record("\(tag).decode_vs_bandwidth", decodeRatio, unit: "ratio", target: 0.5, lowerIsBetter: false,
                      extra: ["copy_bandwidth_gb_s": bw / 1e9, "bytes_per_token_mb": bytesPerToken / 1e6, "bound_tok_s": bw / bytesPerToken,
                              "round_ratios": decodeRatios])
        report.record("\(tag).decode_vs_matvec_only", mv / (td / Double(decodeLen)), unit: "ratio",
                      extra: ["matvec_only_ms_per_token": mv * 1e3, "decode_ms_per_token": td / Double(decodeLen) * 1e3])
        print(String(format: "  %@: prefill %.1f tok/s (%.2f of sgemm), decode %.1f tok/s (%.2f of %.1f GB/s bound; matvec-only %.1f ms vs %.1f ms/token)",
                     tag, Double(promptLen) / tp, prefillRatio, decodeRate, decodeRatio, bw / 1e9, mv * 1e3, td / Double(decodeLen) * 1e3))
      }
    }
    LLMThreads.set(ProcessInfo.processInfo.activeProcessorCount)
  }
}

enum BenchLLMError: Error, CustomStringConvertible {
  case missing(String)
  var description: String { if case let .missing(m) = self { return m }; return "" }
}

enum BenchLLM {
  nonisolated(unsafe) static var rng = RNG(seed: 0)

  /// Every projection in one forward: each layer's q, k, v, o, gate, up, down, then the output matrix.
  static func projections(_ m: LlamaModel) -> [WeightMatrix] {
    m.layers.flatMap { l in [l.wq, l.wk, l.wv, l.wo, l.gate, l.up, l.down].compactMap { $0 } } + [m.outputMatrix]
  }

  /// (rows, cols) of every projection in one forward, including the output matrix.
  static func shapes(_ m: LlamaModel) -> [(Int, Int)] { projections(m).map { ($0.rows, $0.cols) } }

  static func flops(_ m: LlamaModel, n: Int) -> Double {
    shapes(m).reduce(0) { $0 + 2 * Double(n) * Double($1.0) * Double($1.1) }
  }

  /// Time of bare sgemm calls on the model's projection shapes with n rows (output projection: 1 row, as
  /// prefill computes only the last position's logits).
  static func sgemmTime(_ m: LlamaModel, n: Int, repeats: Int, warmup: Int = 1) -> Double {
    let sh = shapes(m)
    let maxW = sh.map { $0.0 * $0.1 }.max()!, maxR = sh.map { max($0.0, $0.1) }.max()!
    let w = [Float](repeating: 0.01, count: maxW), x = [Float](repeating: 0.5, count: n * maxR)
    var y = [Float](repeating: 0, count: n * maxR)
    return BenchReport.time(repeats: repeats, warmup: warmup) {
      w.withUnsafeBufferPointer { wb in x.withUnsafeBufferPointer { xb in y.withUnsafeMutableBufferPointer { yb in
        for (i, (r, c)) in sh.enumerated() {
          let rowsN = i == sh.count - 1 ? 1 : n
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rowsN), Int32(r), Int32(c), 1, xb.baseAddress!, Int32(c),
                      wb.baseAddress!, Int32(c), 0, yb.baseAddress!, Int32(r))
        }
      } } }
    }.median
  }

  /// Weight bytes read for one decoded token: every layer matrix, the output matrix, one embedding row.
  static func bytesPerToken(_ m: LlamaModel) -> Int {
    projections(m).reduce(m.embedding.byteCount / max(m.embedding.rows, 1)) { $0 + $1.byteCount }
  }

  /// Two 256 MiB buffers for the copy-bandwidth reference (allocated and touched once per run).
  final class CopyBuffers {
    let n = 256 << 20
    let src: UnsafeMutableRawPointer, dst: UnsafeMutableRawPointer
    init() {
      src = .allocate(byteCount: n, alignment: 64); dst = .allocate(byteCount: n, alignment: 64)
      memset(src, 1, n); memset(dst, 0, n)
    }
    deinit { src.deallocate(); dst.deallocate() }

    /// memcpy bandwidth (read + write bytes per second) over 256 MiB split across `threads`: best of 3.
    func bandwidth(threads: Int) -> Double {
      let chunk = n / threads
      let t = BenchReport.time(repeats: 3, warmup: 1) {
        DispatchQueue.concurrentPerform(iterations: threads) { i in memcpy(dst + i * chunk, src + i * chunk, chunk) }
      }.min
      return 2 * Double(n) / t
    }
  }

  static func median(_ v: [Double]) -> Double { let s = v.sorted(); return s.isEmpty ? .nan : s[s.count / 2] }

  /// Weight products alone for one decoded token: every matrix applied to one activation row.
  static func matvecTime(_ m: LlamaModel, repeats: Int) throws -> Double {
    let ws = projections(m)
    let maxC = ws.map(\.cols).max()!, maxR = ws.map(\.rows).max()!
    let x = [Float](repeating: 0.1, count: maxC)
    var y = [Float](repeating: 0, count: maxR)
    return try BenchReport.time(repeats: repeats * 5, warmup: 1) {
      try x.withUnsafeBufferPointer { xb in try y.withUnsafeMutableBufferPointer { yb in
        for w in ws { try w.apply(xb.baseAddress!, n: 1, into: yb.baseAddress!) }
      } }
    }.median
  }

  /// Reset VmHWM (Linux: writing 5 to /proc/self/clear_refs) so each variant reports its own peak.
  static func resetPeakRSS() {
    if let f = fopen("/proc/self/clear_refs", "w") { fputs("5", f); fclose(f) }
  }

  static func peakRSSMB() -> Double {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return -1 }
    return kb / 1024
  }
}
