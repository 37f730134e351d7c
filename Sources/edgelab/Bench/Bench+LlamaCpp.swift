import Compression
import Foundation
import LLM

/// `edgelab bench llm --compare-llamacpp [--llama-bench PATH]`: EdgeLab and llama.cpp's `llama-bench` on the same
/// GGUF files, side by side in one run.
/// - files: SmolLM2-135M-Instruct re-quantized by RTN to Q4_0 and to Q8_0 (linear weights; token embedding Q8_0, as
///   `compress.quantize(m, {type = ...})` writes them), from the shipped Q4_1 file dequantized; written once to
///   `<bench output>/models/` and reused;
/// - per file and round, both tools measure prefill of a 512-token prompt (llama-bench `-p 512`, EdgeLab one batched
///   forward of 512 tokens, logits of the last position) and decode of 128 tokens (llama-bench `-n 128` from an
///   empty context, EdgeLab 128 single-token forwards after a 1-token prompt), with 2 threads and then 1
///   (`llama-bench -t N -r 1`, its default warm-up run included; EdgeLab warms up once before the rounds;
///   `--quick`: 2 threads only);
/// - rounds are paired (EdgeLab, then llama-bench right after), 3 rounds; ratios = EdgeLab tok/s ÷ llama.cpp tok/s,
///   the median of the per-round ratios, so a load spike from other processes hits both sides alike; each round
///   also times EdgeLab's prefill with the other batch-activation mode (`float` when int8 is in use), recorded as
///   `prefill_edgelab_<mode>_batch_tok_s` with its own ratio;
/// - `EDGELAB_LLAMA_BENCH_ARGS` (e.g. "--poll 0") appends options to every llama-bench call: llama.cpp's threads
///   busy-poll by default, which collapses its speed when other processes share the cores.
enum BenchLlamaCpp {

  static func run(_ report: BenchReport, llamaBench: String) throws {
    let src = CLI.repoRoot().appendingPathComponent("assets/models/SmolLM2-135M-Instruct.Q4_1.gguf").path
    guard FileManager.default.fileExists(atPath: src) else { throw BenchLLMError.missing("model \(src) not found: run `edgelab fetch`") }
    let promptLen = report.quick ? 64 : 512, decodeLen = report.quick ? 16 : 128, rounds = report.quick ? 1 : 3
    let dir = report.outputDir.appendingPathComponent("models")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let version: String
    do { version = try runTool(llamaBench, ["--version"]).stderr.split(separator: "\n").first.map(String.init) ?? "" } catch {
      throw BenchLLMError.missing("--compare-llamacpp needs llama.cpp's llama-bench on PATH or --llama-bench PATH (\(error))")
    }
    report.note("llama_bench", llamaBench)
    report.note("llama_bench_version", version)
    report.note("llama_bench_extra_args", ProcessInfo.processInfo.environment["EDGELAB_LLAMA_BENCH_ARGS"] ?? "")
    report.note("batch_activations", QuantizedMatrix.batchActivations.rawValue)
    let saved = LLMThreads.current
    defer { LLMThreads.set(saved) }
    for type in [GGMLType.q4_0, .q8_0] {
      let path = try export(src, type: type, dir: dir)
      let model = try LlamaModel.load(path: path, keepQuantized: true)
      for threads in report.quick ? [2] : [2, 1] {
        let tag = "\(type.description.lowercased()).t\(threads).llamacpp"
        LLMThreads.set(threads)
        let text = String(repeating: "The quick brown fox jumps over the lazy dog near the river bank, and the children laugh. ", count: 80)
        let ids = Array(model.tokenizer.encode(text).prefix(promptLen))
        guard ids.count == promptLen else { throw BenchLLMError.missing("prompt has \(ids.count) tokens, wanted \(promptLen)") }
        func prefill() throws { var c = model.makeCache(reserve: promptLen); _ = try model.forward(tokens: ids, cache: &c, lastOnly: true) }
        func decode() throws {
          var c = model.makeCache(reserve: 1 + decodeLen)
          var logits = try model.forward(tokens: [ids[0]], cache: &c, lastOnly: true)
          for _ in 0..<decodeLen {
            let t = logits.withUnsafeBufferPointer { Sampling.greedy.sample($0, rng: &BenchLLM.rng) }
            logits = try model.forward(tokens: [t], cache: &c, lastOnly: true)
          }
        }
        try prefill(); try decode()                                                             // warm-up
        var ours = [(Double, Double)](), theirs = [(Double, Double)](), floatPrefill = [Double]()
        let mode = QuantizedMatrix.batchActivations
        for _ in 0..<rounds {
          let tp = try BenchReport.time(repeats: 1, warmup: 0) { try prefill() }.median
          // The F32-activation batch path (decoded panels × sgemm) timed in the same round, for the before/after.
          QuantizedMatrix.batchActivations = mode == .int8 ? .float : .int8
          floatPrefill.append(Double(promptLen) / (try BenchReport.time(repeats: 1, warmup: 1) { try prefill() }.median))
          QuantizedMatrix.batchActivations = mode
          let td = try BenchReport.time(repeats: 1, warmup: 0) { try decode() }.median
          ours.append((Double(promptLen) / tp, Double(decodeLen) / td))
          theirs.append(try measure(llamaBench, model: path, prompt: promptLen, decode: decodeLen, threads: threads))
        }
        let prefillRatios = zip(ours, theirs).map { $0.0 / $1.0 }, decodeRatios = zip(ours, theirs).map { $0.1 / $1.1 }
        let loads = BenchReport.loadavg()
        let other = mode == .int8 ? "float" : "int8"
        report.record("\(tag).prefill_edgelab_\(other)_batch_tok_s", BenchLLM.median(floatPrefill), unit: "tok/s", lowerIsBetter: false,
                      extra: ["ratio_to_llamacpp": BenchLLM.median(zip(floatPrefill, theirs).map { $0 / $1.0 })])
        for (what, k, ratios) in [("prefill", 0, prefillRatios), ("decode", 1, decodeRatios)] {
          let e = BenchLLM.median(ours.map { k == 0 ? $0.0 : $0.1 }), l = BenchLLM.median(theirs.map { k == 0 ? $0.0 : $0.1 })
          report.record("\(tag).\(what)_edgelab_tok_s", e, unit: "tok/s", lowerIsBetter: false)
          report.record("\(tag).\(what)_llamacpp_tok_s", l, unit: "tok/s", lowerIsBetter: false)
          report.record("\(tag).\(what)_ratio", BenchLLM.median(ratios), unit: "ratio", target: what == "prefill" ? 1.0 : nil,
                        lowerIsBetter: false, extra: ["round_ratios": ratios, "loadavg": loads, "threads": threads,
                                                      "tokens": k == 0 ? promptLen : decodeLen, "file": path])
          print(String(format: "  %@ %@ (%d tokens, %d threads): EdgeLab %.1f tok/s, llama.cpp %.1f tok/s, ratio %.3f (load %.2f)",
                       type.description, what, k == 0 ? promptLen : decodeLen, threads, e, l, BenchLLM.median(ratios), loads.first ?? -1))
        }
      }
    }
  }

  /// The RTN export of `type` next to the bench output (written once).
  static func export(_ src: String, type: GGMLType, dir: URL) throws -> String {
    let path = dir.appendingPathComponent("SmolLM2-135M-Instruct.\(type.description.uppercased()).gguf").path
    if FileManager.default.fileExists(atPath: path) { return path }
    let base = try LlamaModel.load(path: src, keepQuantized: false)
    let q = try ModelQuantizer.quantize(base, options: ModelQuantOptions(rules: .standard(linear: type), method: .rtn))
    try q.model.save(path + ".partial")
    try FileManager.default.moveItem(atPath: path + ".partial", toPath: path)
    return path
  }

  /// One llama-bench run (`-r 1`): (prefill tok/s, decode tok/s).
  static func measure(_ exe: String, model: String, prompt: Int, decode: Int, threads: Int) throws -> (Double, Double) {
    let extra = (ProcessInfo.processInfo.environment["EDGELAB_LLAMA_BENCH_ARGS"] ?? "").split(separator: " ").map(String.init)
    let out = try runTool(exe, ["-m", model, "-p", "\(prompt)", "-n", "\(decode)", "-t", "\(threads)", "-r", "1", "-o", "json"] + extra)
    guard let rows = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [[String: Any]] else {
      throw BenchLLMError.missing("llama-bench printed no JSON list: \(out.stdout.prefix(200))")
    }
    func rate(_ p: Int, _ g: Int) throws -> Double {
      guard let r = rows.first(where: { ($0["n_prompt"] as? Int) == p && ($0["n_gen"] as? Int) == g }),
            let ts = r["avg_ts"] as? Double else { throw BenchLLMError.missing("llama-bench JSON lacks the test p=\(p) n=\(g)") }
      return ts
    }
    return (try rate(prompt, 0), try rate(0, decode))
  }

  /// Run `exe` (a path, or a name looked up on PATH through /usr/bin/env); its standard output and error.
  static func runTool(_ exe: String, _ args: [String]) throws -> (stdout: String, stderr: String) {
    let p = Process()
    if exe.contains("/") { p.executableURL = URL(fileURLWithPath: exe); p.arguments = args }
    else { p.executableURL = URL(fileURLWithPath: "/usr/bin/env"); p.arguments = [exe] + args }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out; p.standardError = err
    do { try p.run() } catch { throw BenchLLMError.missing("cannot run \(exe): \(error)") }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    if p.terminationStatus != 0 {
      let msg = String(decoding: errData, as: UTF8.self).split(separator: "\n").suffix(3).joined(separator: " | ")
      throw BenchLLMError.missing("\(exe) exited with status \(p.terminationStatus): \(msg)")
    }
    return (text, String(decoding: errData, as: UTF8.self))
  }
}
