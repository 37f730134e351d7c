import Compression
import Foundation
import LLM
import TensorCore

/// `edgelab bench scale`: paper-scale compression within one machine's memory, on a synthetic Llama-3.1-8B-shaped
/// checkpoint (sharded BF16 safetensors, random weights; generated once into the work directory if missing).
/// - RTN and GPTQ (small calibration set of random-token windows) to Q4_0 (embedding/output Q8_0) through the
///   layer-streamed pipeline (StreamedQuantizer): peak RSS in MiB (VmHWM, reset before each method; getrusage maxrss is
///   the whole process's), wall time per block (read + quantize + write; GPTQ adds the calibration forward),
///   output file size and peak RSS ÷ output size;
/// - decode tok/s of the RTN Q4_0 result (weights memory-mapped, quantized kernels) vs its memory-bandwidth bound:
///   bytes of weights read per token ÷ streaming-read bandwidth measured in the same run (sum over 1 GiB split
///   across the threads, best of 3); 3 paired rounds (decode, then bandwidth), ratio = median of per-round ratios.
/// Knobs (environment): EDGELAB_SCALE_DIR (work directory; default outputs/scale), EDGELAB_SCALE_PRESET
/// (default llama-3.1-8b), EDGELAB_SCALE_RTN_LAYERS / EDGELAB_SCALE_GPTQ_LAYERS (blocks compressed: the first n,
/// written as an n-block model; default all / 2), EDGELAB_SCALE_CAL_WINDOWS (default 4), EDGELAB_SCALE_CAL_LENGTH
/// (default 128), EDGELAB_SCALE_DECODE_TOKENS (default 16), EDGELAB_SCALE_PARTS (comma list of rtn, gptq, decode,
/// prune; default rtn,gptq,decode). `prune` (opt-in): streamed FFN-25 % pruning (activation criterion) with the
/// least-squares refit, then RTN Q4_0, on the first EDGELAB_SCALE_PRUNE_LAYERS blocks (default 1), calibrated on the
/// GPTQ part's windows — peak RSS and time per block like the others. `--quick`: a 2-block model of width 256 in a temporary directory (a smoke check, no figures).
extension BenchSuite {
  static let scale = BenchSuite(name: "scale", summary: "synthetic 8B: layer-streamed RTN/GPTQ peak RSS + time per layer, Q4_0 decode vs bandwidth") { report in
    try ScaleBench.run(report)
  }
}

enum ScaleBench {
  static func env(_ k: String) -> String? { ProcessInfo.processInfo.environment[k] }
  static func envInt(_ k: String, _ d: Int) throws -> Int {
    guard let s = env(k) else { return d }
    guard let v = Int(s), v >= 1 else { throw BenchLLMError.missing("\(k) must be an integer ≥ 1, got '\(s)'") }
    return v
  }

  static func maxRSSMiB() -> Double {
    var u = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u)
    return Double(u.ru_maxrss) / 1024
  }

  static func run(_ report: BenchReport) throws {
    let fm = FileManager.default
    let work = report.quick ? NSTemporaryDirectory() + "edgelab-scale-\(getpid())"
      : env("EDGELAB_SCALE_DIR") ?? CLI.repoRoot().appendingPathComponent("outputs/scale").path
    defer { if report.quick { try? fm.removeItem(atPath: work) } }
    let preset = env("EDGELAB_SCALE_PRESET") ?? "llama-3.1-8b"
    let modelDir = work + "/" + (report.quick ? "tiny" : preset)
    let parts = Set((env("EDGELAB_SCALE_PARTS") ?? "rtn,gptq,decode").split(separator: ",").map(String.init))
    if !fm.fileExists(atPath: modelDir + "/config.json") {
      var spec = try SyntheticModelSpec.preset(preset, layers: report.quick ? 2 : nil)
      if report.quick {
        spec.config = LlamaConfig(vocabSize: 512, dim: 256, layers: 2, heads: [4, 4], kvHeads: [2, 2], ffn: [768, 768], headDim: 64,
                                  ropeTheta: 500000, contextLength: 4096, ropeScaling: spec.config.ropeScaling)
        spec.maxShardBytes = 1 << 20
      }
      let t0 = Date()
      let files = try SyntheticCheckpoint.write(spec, directory: modelDir)
      report.record("generate_seconds", Date().timeIntervalSince(t0), unit: "s",
                    extra: ["files": files.count, "bytes": spec.totalBytes, "loadavg": BenchReport.loadavg()])
    }
    let ck = try HuggingFaceCheckpoint(directory: modelDir)
    let c = ck.config
    report.note("model", "\(preset): dim \(c.dim), \(c.layers) blocks, heads \(c.heads[0])/\(c.kvHeads[0]), ffn \(c.ffn[0]), vocab \(c.vocabSize), BF16 synthetic")
    let rules = PrecisionRules.standard(linear: .q4_0)
    let rtnPath = work + "/\(report.quick ? "tiny" : preset)-rtn-q4_0.gguf"

    func measure(_ tag: String, method: QuantMethod, layers: Int, windows: [[Int32]], path: String,
                 prune: StreamedPruneOptions? = nil) throws {
      BenchLLM.resetPeakRSS()
      let r = try StreamedQuantizer.quantize(checkpoint: ck, to: path, options: ModelQuantOptions(rules: rules, method: method),
                                             windows: windows, layers: layers, prune: prune) { _, done, total in
        FileHandle.standardError.write("\r  \(tag): block \(done)/\(total)".data(using: .utf8)!)
      }
      FileHandle.standardError.write("\n".data(using: .utf8)!)
      let peak = BenchLLM.peakRSSMB(), sorted = r.layerSeconds.sorted()
      let extra: [String: Any] = ["layers": r.layers, "of_layers": c.layers, "windows": windows.count,
                                  "window_tokens": windows.first?.count ?? 0, "loadavg": BenchReport.loadavg(),
                                  "layer_seconds": r.layerSeconds, "process_maxrss_mib": maxRSSMiB()]
      report.record("\(tag).peak_rss_mib", peak, unit: "MiB", target: tag == "gptq" ? 8e9 / 1_048_576 : nil, extra: extra)
      report.record("\(tag).seconds_per_layer_median", sorted[sorted.count / 2], unit: "s", extra: extra)
      report.record("\(tag).total_seconds", r.seconds, unit: "s", extra: extra)
      report.record("\(tag).output_mb", Double(r.outputBytes) / 1e6, unit: "MB", extra: extra)
      report.record("\(tag).peak_rss_over_output", peak * 1048576 / Double(r.outputBytes), unit: "ratio", extra: extra)
      if let loss = r.gptqLoss { report.note("\(tag).gptq_loss", loss) }
    }

    if parts.contains("rtn") {
      try measure("rtn", method: .rtn, layers: try envInt("EDGELAB_SCALE_RTN_LAYERS", c.layers), windows: [], path: rtnPath)
    }
    let count = try envInt("EDGELAB_SCALE_CAL_WINDOWS", report.quick ? 2 : 4), length = try envInt("EDGELAB_SCALE_CAL_LENGTH", report.quick ? 32 : 128)
    var g = RNG(seed: 1)
    let windows = (0..<count).map { _ in (0..<length).map { _ in Int32(g.int(below: c.vocabSize)) } }
    if parts.contains("prune") {
      try measure("prune", method: .rtn, layers: try envInt("EDGELAB_SCALE_PRUNE_LAYERS", 1), windows: windows,
                  path: work + "/\(report.quick ? "tiny" : preset)-ffn25-refit-q4_0.gguf",
                  prune: StreamedPruneOptions(options: PruneOptions(ffnRatio: 0.25), refit: true))
    }
    if parts.contains("gptq") {
      try measure("gptq", method: .gptq(GPTQConfig()), layers: try envInt("EDGELAB_SCALE_GPTQ_LAYERS", min(2, c.layers)),
                  windows: windows, path: work + "/\(report.quick ? "tiny" : preset)-gptq-q4_0.gguf")
    }
    if parts.contains("decode") { try decode(report, path: rtnPath, tokens: try envInt("EDGELAB_SCALE_DECODE_TOKENS", report.quick ? 4 : 16)) }
  }

  static func decode(_ report: BenchReport, path: String, tokens: Int) throws {
    guard FileManager.default.fileExists(atPath: path) else { throw BenchLLMError.missing("\(path) not found: run the rtn part first") }
    BenchLLM.resetPeakRSS()
    let model = try LlamaModel.load(path: path, keepQuantized: true)
    let threads = LLMThreads.current
    let prompt: [Int32] = (0..<8).map { Int32($0 * 7 + 3) }
    var cache = model.makeCache(reserve: prompt.count + tokens)
    let first = try model.forward(tokens: prompt, cache: &cache, lastOnly: true)
    let base = cache
    func run() throws -> Double {
      cache = base
      var logits = first
      let t0 = Date()
      for _ in 0..<tokens {
        let t = logits.withUnsafeBufferPointer { Sampling.greedy.sample($0, rng: &BenchLLM.rng) }
        logits = try model.forward(tokens: [t], cache: &cache, lastOnly: true)
      }
      return Double(tokens) / Date().timeIntervalSince(t0)
    }
    _ = try run()                                                       // warm-up: pages the file in
    let modelPeak = BenchLLM.peakRSSMB()
    let bytes = Double(BenchLLM.bytesPerToken(model))
    let reader = ReadBuffer()
    var rates = [Double](), bws = [Double](), ratios = [Double]()
    for _ in 0..<3 {
      let r = try run(), bw = reader.bandwidth(threads: threads)
      rates.append(r); bws.append(bw); ratios.append(r / (bw / bytes))
    }
    let extra: [String: Any] = ["threads": threads, "tokens": tokens, "bytes_per_token_mb": bytes / 1e6,
                                "read_bandwidth_gb_s": BenchLLM.median(bws) / 1e9, "bound_tok_s": BenchLLM.median(bws) / bytes,
                                "round_ratios": ratios, "round_tok_s": rates, "loadavg": BenchReport.loadavg(),
                                "layers": model.config.layers, "peak_rss_mib": modelPeak]
    report.record("decode.q4_0_tok_s", BenchLLM.median(rates), unit: "tok/s", extra: extra)
    report.record("decode.read_bandwidth_gb_s", BenchLLM.median(bws) / 1e9, unit: "GB/s", extra: extra)
    report.record("decode.vs_bandwidth", BenchLLM.median(ratios), unit: "ratio", target: 0.5, lowerIsBetter: false, extra: extra)
  }

  /// 1 GiB touched once; `bandwidth` sums it (4 independent SIMD accumulators per thread) — bytes read per second.
  final class ReadBuffer {
    let count = 1 << 28
    let data: UnsafeMutablePointer<Float>
    init() { data = .allocate(capacity: count); data.initialize(repeating: 1, count: count) }
    deinit { data.deallocate() }
    func bandwidth(threads: Int) -> Double {
      let per = count / threads
      var sink = [Float](repeating: 0, count: threads)
      let t = BenchReport.time(repeats: 3, warmup: 1) {
        sink.withUnsafeMutableBufferPointer { s in
          let out = s.baseAddress!
          DispatchQueue.concurrentPerform(iterations: threads) { i in
            let p = UnsafeRawPointer(data + i * per)
            var a = SIMD16<Float>(), b = SIMD16<Float>(), c = SIMD16<Float>(), d = SIMD16<Float>()
            var k = 0
            while k + 64 <= per {
              a += p.loadUnaligned(fromByteOffset: 4 * k, as: SIMD16<Float>.self)
              b += p.loadUnaligned(fromByteOffset: 4 * (k + 16), as: SIMD16<Float>.self)
              c += p.loadUnaligned(fromByteOffset: 4 * (k + 32), as: SIMD16<Float>.self)
              d += p.loadUnaligned(fromByteOffset: 4 * (k + 48), as: SIMD16<Float>.self)
              k += 64
            }
            out[i] = (a + b + c + d).sum()
          }
        }
      }.min
      precondition(sink.allSatisfy { $0.isFinite })
      return Double(count * 4) / t
    }
  }
}
