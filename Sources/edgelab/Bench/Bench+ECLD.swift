import Compression
import Evaluation
import Foundation
import LLM
import TensorCore

/// `edgelab bench ecld`: the ECLD compression pipeline on SmolLM2-135M-Instruct (reference = its dequantized
/// F32 weights; the file itself is Q4_1). Parts (env EDGELAB_ECLD_PARTS, comma list, default all):
///   quant — RTN vs GPTQ at Q4_0 and a "3-bit" rule set (Q3_K where rows allow, else PrecisionRules'
///           fallback): time (GPTQ = whole model incl. Hessian collection, sequential as the library default, target ≤ 120 s), bytes, bits/weight,
///           held-out perplexity and KLD to the reference; RTN rate vs a memcpy of the same Float bytes.
///   prune — width pruning of ~25% of linear parameters (1/3 of heads evenly inside GQA groups, 25% of FFN
///           channels, activation criterion) → pruned / refit / distilled (from the refit model) perplexity
///           and KLD; distillation tokens/s vs forward-only tokens/s of the same student.
///   kd — (alone) KD throughput only: KD tokens/s, its ratio to the student's forward-only and prefill rates and to
///           the bound prefill ÷ 3 (one run; EDGELAB_ECLD_DISTILL_STEPS default 12, EDGELAB_ECLD_DISTILL_BATCH 2).
///   gptq — (alone) RTN vs sequential GPTQ ± act-order at 16/64/256 calibration windows, in-domain and
///           other-domain held-out perplexity + KLD (Bench+GPTQSweep.swift; EDGELAB_GPTQ_WINDOWS, EDGELAB_GPTQ_RTN=0,
///           EDGELAB_GPTQ_SKIP_FIRST, EDGELAB_ECLD_GPTQ_CHUNK).
///   frontier — (alone) RTN to every writable type, bits per weight counted from the written GGUF, % of F16,
///           in-domain and other-domain perplexity + KLD + same-top-token (Bench+Frontier.swift;
///           EDGELAB_FRONTIER_TYPES, EDGELAB_FRONTIER_EMBEDDING=q8_0|same|both).
///   gptq_proxy — (alone) GPTQ's layer objective on held-out Hessians and the attention-sink share of tr(H)
///           (Bench+GPTQProxy.swift; EDGELAB_GPTQ_LAYERS, EDGELAB_GPTQ_DAMPS, EDGELAB_GPTQ_SKIP_FIRST=1).
/// Knobs: EDGELAB_ECLD_EVAL_TOKENS (held-out tokens, default 4096), EDGELAB_ECLD_CAL (calibration windows
/// of 256, default 16), EDGELAB_ECLD_DISTILL_STEPS (default 60), EDGELAB_ECLD_DISTILL_WINDOWS (of 128, default 64).
extension BenchSuite {
  static let ecld = BenchSuite(name: "ecld", summary: "ECLD on SmolLM2: RTN vs GPTQ, prune/refit/distill quality, GPTQ time, KD tok/s") { report in
    try ECLDBench.run(report)
  }
}

enum ECLDBench {
  static func env(_ k: String, _ d: Int) -> Int { ProcessInfo.processInfo.environment[k].flatMap(Int.init) ?? d }

  static func run(_ report: BenchReport) throws {
    let quick = report.quick
    let parts = Set((ProcessInfo.processInfo.environment["EDGELAB_ECLD_PARTS"] ?? "quant,prune").split(separator: ",").map(String.init))
    LLMThreads.set(ProcessInfo.processInfo.activeProcessorCount)
    let path = EdgeLabPathsECLD.model
    let base = try LlamaModel.load(path: path)
    let splits = try TextSplits.haluEval()
    let evalTokens = env("EDGELAB_ECLD_EVAL_TOKENS", quick ? 1024 : 4096)
    let cal = try Calibration.windows(model: base, texts: splits.calibration, length: 256, count: env("EDGELAB_ECLD_CAL", quick ? 4 : 16))
    report.note("model", path)
    report.note("reference", "dequantized F32 weights of the Q4_1 GGUF (the file is already 4-bit)")
    report.note("eval", "HaluEval summarization held-out split, \(evalTokens) tokens, context 512")
    report.note("calibration_tokens", cal.count * 256)
    let ref = LlamaScoringModel(base, name: "base-f32")
    let t0 = Date()
    if parts == ["gptq_proxy"] { try GPTQProxyBench.run(report, base, splits); return }
    if parts == ["gptq"] { try GPTQSweepBench.run(report, base, splits, evalTokens: evalTokens); return }
    if parts == ["frontier"] { try FrontierBench.run(report, base, splits, evalTokens: evalTokens); return }
    if parts == ["kd"] { try kdOnly(report, base, splits, cal, quick); return }
    let basePPL = try Perplexity.evaluate(model: ref, texts: splits.heldOut, context: 512, maxTokens: evalTokens)
    let fwdTokS = Double(basePPL.scoredTokens) / Date().timeIntervalSince(t0)
    report.record("base_f32_perplexity", basePPL.perplexity, unit: "ppl", extra: ["bytes": base.weightBytes,
      "gguf_q4_1_tensor_bytes": (try? LlamaScoringModel.ggufTensorBytes(path: path)) ?? 0, "forward_tok_per_s": fwdTokS])
    func evaluate(_ name: String, _ m: LlamaModel, _ extra: [String: Any] = [:]) throws {
      let d = try Perplexity.compare(model: LlamaScoringModel(m, name: name), reference: ref, texts: splits.heldOut,
                                     context: 512, maxTokens: evalTokens)
      var e = extra
      e["kld"] = d.kld.mean; e["kld_lo"] = d.kld.lo; e["kld_hi"] = d.kld.hi; e["same_top_token"] = d.sameTopToken
      e["bytes"] = m.weightBytes; e["params"] = m.config.parameterCount(tiedOutput: m.output == nil)
      e["linear_params"] = Pruner.linearParameters(m)
      e["bits_per_weight"] = Double(m.weightBytes * 8) / Double(m.config.parameterCount(tiedOutput: m.output == nil))
      e["loadavg"] = BenchReport.loadavg()
      report.record("\(name)_perplexity", d.model.perplexity, unit: "ppl", extra: e)
    }
    if parts.contains("quant") { try quant(report, base, cal, evaluate) }
    if parts.contains("prune") { try prune(report, base, splits, cal, quick, fwdTokS, evaluate) }
  }

  static func quant(_ report: BenchReport, _ base: LlamaModel, _ cal: [[Int32]],
                    _ evaluate: (String, LlamaModel, [String: Any]) throws -> Void) throws {
    for (label, type) in [("q4_0", GGMLType.q4_0), ("q3_k", GGMLType.q3_K)] {
      let rules = try PrecisionRules([PrecisionRule(#"^(token_embd|output)\.weight$"#, .q8_0)], default: type)
      let r = try ModelQuantizer.quantize(base, options: ModelQuantOptions(rules: rules, method: .rtn))
      let types = Dictionary(grouping: r.report.entries, by: \.type).mapValues(\.count)
      try evaluate("rtn_\(label)", r.model, ["seconds": r.seconds, "linear_bpw": linearBPW(r.report), "types": types.description])
      // RTN rate vs a memcpy of the same Float bytes
      if type == .q4_0 {
        let bytes = r.report.totalWeights * 4
        let src = [Float](repeating: 1, count: bytes / 4)
        var dst = [Float](repeating: 0, count: bytes / 4)
        let tm = BenchReport.time(repeats: 3) { src.withUnsafeBytes { s in dst.withUnsafeMutableBytes { d in d.copyMemory(from: s) } } }.median
        let rate = Double(bytes) / r.seconds / 1e9, mem = Double(bytes) / tm / 1e9
        report.record("rtn_whole_model_GBps", rate, unit: "GB/s (F32 in)", lowerIsBetter: false,
                      extra: ["memcpy_GBps": mem, "ratio_to_memcpy": rate / mem, "bytes": bytes, "seconds": r.seconds])
      }
      let chunk = env("EDGELAB_ECLD_GPTQ_CHUNK", ModelQuantOptions().chunkLayers)   // the library's (sequential) default
      let g = try ModelQuantizer.quantize(base, options: ModelQuantOptions(rules: rules, method: .gptq(GPTQConfig()), chunkLayers: chunk),
                                          windows: cal)
      report.record("gptq_\(label)_whole_model_seconds", g.seconds, unit: "s", target: 120,
                    extra: ["calibration_tokens": cal.count * (cal.first?.count ?? 0), "chunk_layers": chunk, "loadavg": BenchReport.loadavg()])
      try evaluate("gptq_\(label)", g.model, ["seconds": g.seconds, "linear_bpw": linearBPW(g.report)])
    }
  }

  static func linearBPW(_ r: QuantReport) -> Double {
    let e = r.entries.filter { $0.name.hasPrefix("blk.") }
    return Double(e.reduce(0) { $0 + $1.bytes } * 8) / Double(max(1, e.reduce(0) { $0 + $1.rows * $1.cols }))
  }

  static func prune(_ report: BenchReport, _ base: LlamaModel, _ splits: TextSplits, _ cal: [[Int32]], _ quick: Bool, _ baseFwd: Double,
                    _ evaluate: (String, LlamaModel, [String: Any]) throws -> Void) throws {
    let opts = PruneOptions(ffnRatio: 0.25, headRatio: 0.34, headMode: .withinGroups, criterion: .activation)
    let t0 = Date()
    let stats = try Calibration.collect(model: base, windows: cal)
    let plan = try Pruner.plan(model: base, stats: stats, options: opts)
    let pruned = try Pruner.apply(model: base, plan: plan)
    let removed = 1 - Double(Pruner.linearParameters(pruned)) / Double(Pruner.linearParameters(base))
    try evaluate("pruned25", pruned, ["linear_removed": removed, "seconds": Date().timeIntervalSince(t0)])
    let t1 = Date()
    let refit = try Refit.apply(original: base, pruned: pruned, plan: plan, windows: cal, ridge: 1e-3)
    try evaluate("pruned25_refit", refit, ["seconds": Date().timeIntervalSince(t1)])
    // distillation windows: calibration text after the calibration windows
    let nW = env("EDGELAB_ECLD_DISTILL_WINDOWS", quick ? 4 : 64)
    let all = try Calibration.windows(model: base, texts: splits.calibration, length: 128, count: cal.count * 2 + nW)
    let dw = Array(all.suffix(nW))
    var o = DistillOptions()
    o.steps = env("EDGELAB_ECLD_DISTILL_STEPS", quick ? 3 : 60)
    o.batchSize = 2; o.learningRate = 2e-4; o.minLearningRate = 2e-5; o.warmupSteps = min(5, o.steps / 4)
    o.temperature = 1; o.alpha = 1; o.topK = 64; o.clipNorm = 1; o.seed = 1
    let fromName = ProcessInfo.processInfo.environment["EDGELAB_ECLD_DISTILL_FROM"] ?? "refit"
    let start = fromName == "pruned" ? pruned : refit
    let (d, student, trainSeconds) = try kdSpeed(report, base, start, dw, o, baseFwd)
    let first = d.history.prefix(5).map(\.kd).reduce(0, +) / Double(min(5, d.history.count))
    let last = d.history.suffix(5).map(\.kd).reduce(0, +) / Double(min(5, d.history.count))
    try evaluate("pruned25_\(fromName)_distill", student, ["steps": o.steps, "kd_first5": first, "kd_last5": last,
                 "train_seconds": trainSeconds, "lr": Double(o.learningRate), "top_k": o.topK, "temperature": Double(o.temperature)])
  }
}

extension ECLDBench {
  /// KD throughput, all rates from this one run: KD tokens/s (student forward + backward + AdamW per token of
  /// the batch; the teacher's top-k is cached beforehand and not counted), the forward-only rate of the same
  /// student on the autograd path, and its inference prefill rate (LlamaModel.forward on each training window).
  /// A KD step costs about 3 forward passes (forward, and a backward of twice its FLOPs), so the bound is
  /// prefill tokens/s ÷ 3. It is not a hard ceiling: with the embedding frozen (the default) the tied output head
  /// (about a quarter of the pruned student's FLOPs) needs no weight gradient, so a step costs less than 3 forwards, and the
  /// prefill rate is measured on one batch (median of 3) while KD runs for `steps`.
  static func kdSpeed(_ report: BenchReport, _ teacher: LlamaModel, _ start: LlamaModel, _ windows: [[Int32]], _ o: DistillOptions,
                      _ baseFwd: Double) throws -> (Distiller, LlamaModel, Double) {
    let t0 = Date()
    let d = try Distiller(teacher: teacher, student: start, windows: windows, options: o)
    let teacherSeconds = Date().timeIntervalSince(t0)
    let fb = Array(windows.prefix(o.batchSize)), tokens = fb.count * fb[0].count
    // The reference rates are measured before and after the KD run and averaged (a shared machine's load drifts).
    func forwardSeconds() throws -> Double {
      try BenchReport.time(repeats: 3, warmup: 1) { _ = try noGrad { try d.student.forward(batch: fb) } }.median
    }
    func prefillSeconds() throws -> Double {
      try BenchReport.time(repeats: 3, warmup: 1) {
        for w in fb { var c = start.makeCache(reserve: w.count); _ = try start.forward(tokens: w, cache: &c) }
      }.median
    }
    let tf0 = try forwardSeconds(), tp0 = try prefillSeconds()
    let t1 = Date()
    let student = try d.run { s in if s.step % 10 == 0 { print("    distill step \(s.step) kd \(String(format: "%.4f", s.kd)) tok/s \(Int(s.tokensPerSecond))") } }
    let trainSeconds = Date().timeIntervalSince(t1)
    let tf1 = try forwardSeconds(), tp1 = try prefillSeconds()
    let fwdTokS = Double(2 * tokens) / (tf0 + tf1), prefillTokS = Double(2 * tokens) / (tp0 + tp1), bound = prefillTokS / 3
    let tokS = Double(o.steps * tokens) / trainSeconds
    report.record("distill_tokens_per_s", tokS, unit: "tok/s", lowerIsBetter: false,
                  extra: ["forward_only_tok_per_s": fwdTokS, "ratio_to_forward_only": tokS / fwdTokS,
                          "prefill_tok_per_s": prefillTokS, "ratio_to_prefill": tokS / prefillTokS,
                          "prefill_tok_per_s_before_kd": Double(tokens) / tp0, "prefill_tok_per_s_after_kd": Double(tokens) / tp1,
                          "bound_3x_forward_tok_per_s": bound, "ratio_to_3x_forward_bound": tokS / bound,
                          "inference_forward_tok_per_s_base": baseFwd, "steps": o.steps, "batch": o.batchSize, "seq": fb[0].count,
                          "threads": LLMThreads.current, "teacher_cache_seconds": teacherSeconds, "loadavg": BenchReport.loadavg()])
    print("    KD \(Int(tokS)) tok/s; autograd forward-only \(Int(fwdTokS)); prefill \(Int(prefillTokS)) → bound \(Int(bound)); "
          + "ratio to bound \(String(format: "%.3f", tokS / bound))")
    return (d, student, trainSeconds)
  }

  /// `kd` part: only the KD throughput (25%-pruned student, calibration-text windows of 128), no quality evaluation.
  static func kdOnly(_ report: BenchReport, _ base: LlamaModel, _ splits: TextSplits, _ cal: [[Int32]], _ quick: Bool) throws {
    let opts = PruneOptions(ffnRatio: 0.25, headRatio: 0.34, headMode: .withinGroups, criterion: .activation)
    let plan = try Pruner.plan(model: base, stats: try Calibration.collect(model: base, windows: cal), options: opts)
    let pruned = try Pruner.apply(model: base, plan: plan)
    var o = DistillOptions()
    o.steps = env("EDGELAB_ECLD_DISTILL_STEPS", quick ? 3 : 12)
    o.batchSize = env("EDGELAB_ECLD_DISTILL_BATCH", 2); o.learningRate = 2e-4; o.minLearningRate = 2e-5; o.warmupSteps = min(5, o.steps / 4)
    o.temperature = 1; o.topK = 64; o.seed = 1
    let w = try Calibration.windows(model: base, texts: splits.calibration, length: 128, count: max(o.batchSize, 8))
    _ = try kdSpeed(report, base, pruned, w, o, 0)
  }
}

enum EdgeLabPathsECLD {
  static var model: String { ProcessInfo.processInfo.environment["EDGELAB_MODEL"] ?? "assets/models/SmolLM2-135M-Instruct.Q4_1.gguf" }
}
