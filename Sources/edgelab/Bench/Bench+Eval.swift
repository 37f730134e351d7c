import EdgeProfiles
import Evaluation
import Foundation
import LLM

/// `edgelab bench eval`: evaluation throughput on the default model (SmolLM2-135M-Instruct, F32 weights).
/// - Multiple-choice scoring items/s with and without prefix KV reuse on the same items (TruthfulQA-MC with
///   all true/false answers, then HaluEval-QA with the knowledge passage): reuse runs the context once and
///   every continuation from the truncated cache; without reuse every choice runs context + continuation.
///   Same log-likelihoods either way (checked here); ratio target ≥ 2×.
/// - Wall time of the default evaluation suite (all four metrics, `SuiteConfig()` defaults; target ≤ 10 min).
/// `--quick`: fewer items and the smoke suite.
extension BenchSuite {
  static let eval = BenchSuite(name: "eval", summary: "MC scoring items/s with vs without prefix reuse; default eval suite wall time") { report in
    let root = CLI.repoRoot()
    let path = root.appendingPathComponent("assets/models/SmolLM2-135M-Instruct.Q4_1.gguf").path
    guard FileManager.default.fileExists(atPath: path) else {
      throw EvaluationError.missingData(path: path)
    }
    let files = DataFiles(root: root.appendingPathComponent("assets/data").path)
    let model = LlamaScoringModel(try LlamaModel.load(path: path), name: "smollm2-135m",
                                  storageBytes: try LlamaScoringModel.ggufTensorBytes(path: path))
    let n = report.quick ? 4 : 15
    let tasks = [try BigBench.truthfulQA(files: files).subset(n: n, seed: 1),
                 try HaluEval.load(.qa, files: files).subset(n: n, seed: 1)]
    report.note("mc_items_per_task", n)
    report.note("mc_choices", tasks.map { $0.items.reduce(0) { $0 + $1.choices.count } })
    var rates: [Bool: Double] = [:]
    var lls: [Bool: [Double]] = [:]
    for reuse in [true, false] {
      let t0 = Date()
      var all: [Double] = []
      for t in tasks { all += try MultipleChoice.evaluate(model: model, task: t, reusePrefix: reuse).flatMap(\.logLikelihoods) }
      let dt = Date().timeIntervalSince(t0)
      rates[reuse] = Double(tasks.reduce(0) { $0 + $1.items.count }) / dt
      lls[reuse] = all
      report.record(reuse ? "mc_items_per_s.prefix_reuse" : "mc_items_per_s.no_reuse", rates[reuse]!, unit: "items/s")
    }
    let maxDiff = zip(lls[true]!, lls[false]!).map { abs($0 - $1) }.max() ?? 0
    report.record("mc_loglik_max_abs_diff_reuse_vs_not", maxDiff, unit: "nats", target: 1e-2)
    report.record("mc_prefix_reuse_speedup", rates[true]! / rates[false]!, unit: "x", target: 2, lowerIsBetter: false)

    var cfg = report.quick ? SuiteConfig.smoke : SuiteConfig()
    cfg.dataDir = files.root
    let t0 = Date()
    let r = try Suite.run(model: model, footprint: model.footprint, config: cfg)
    let wall = Date().timeIntervalSince(t0)
    report.record("default_suite_wall_s", wall, unit: "s", target: report.quick ? nil : 600)
    report.record("default_suite_cpu_s", r.cpuSeconds ?? .nan, unit: "s")
    report.note("suite_config", report.quick ? "smoke" : "default")
    let gk = r.generalization?.tasks.first { $0.name == "general_knowledge" }
    report.record("suite.general_knowledge_acc", gk?.acc.mean ?? .nan, unit: "fraction",
                  extra: ["ci95": [gk?.acc.lo ?? .nan, gk?.acc.hi ?? .nan], "chance": gk?.chance ?? .nan])
    report.record("suite.hallucination_halueval_qa", r.hallucination?.haluEvalQA.mean ?? .nan, unit: "fraction")
    report.record("suite.perplexity", r.generalization?.perplexity.perplexity ?? .nan, unit: "ppl")
    if let h = r.energy?.host {
      report.record("suite.host_query_cpu_s", h.cpuSeconds, unit: "s")
      report.record("suite.host_decode_tok_s", h.decodeTokensPerSecond, unit: "tok/s")
    }
    // Keep the suite's report and card next to the bench JSON.
    let out = root.appendingPathComponent("outputs/bench/eval")
    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    try r.report().write(to: out.appendingPathComponent("report.md"), atomically: true, encoding: .utf8)
    try ModelCard.save([try r.card()], path: out.appendingPathComponent("card.json").path)
  }
}
