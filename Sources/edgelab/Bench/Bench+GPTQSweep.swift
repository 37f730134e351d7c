import Compression
import Evaluation
import Foundation
import LLM
import TensorCore

/// `EDGELAB_ECLD_PARTS=gptq edgelab bench ecld`: whole-model Q4_0 (embedding Q8_0), RTN vs GPTQ ± act-order with
/// 16 / 64 / 256 calibration windows of 256 tokens (EDGELAB_GPTQ_WINDOWS) from the HaluEval summarization
/// calibration split (CNN/DailyMail news), scored against the F32 reference on two held-out texts (context 512,
/// EDGELAB_ECLD_EVAL_TOKENS each): the held-out split of the same documents (in domain) and the HaluEval-QA
/// knowledge passages (Wikipedia paragraphs; another domain, never used for calibration).
/// EDGELAB_GPTQ_TRUE_SEQUENTIAL=1 quantizes each block in stages (ModelQuantOptions.trueSequential);
/// EDGELAB_GPTQ_ACT_ORDER (default "0,1") picks the act-order settings run.
enum GPTQSweepBench {
  static func run(_ report: BenchReport, _ base: LlamaModel, _ splits: TextSplits, evalTokens: Int) throws {
    let env = ProcessInfo.processInfo.environment
    let counts = (env["EDGELAB_GPTQ_WINDOWS"] ?? "16,64,256").split(separator: ",").compactMap { Int($0) }
    let chunk = ECLDBench.env("EDGELAB_ECLD_GPTQ_CHUNK", 1), skip = ECLDBench.env("EDGELAB_GPTQ_SKIP_FIRST", 0)
    let withRTN = env["EDGELAB_GPTQ_RTN"] != "0"
    let trueSequential = env["EDGELAB_GPTQ_TRUE_SEQUENTIAL"] == "1"
    let actOrders = (env["EDGELAB_GPTQ_ACT_ORDER"] ?? "0,1").split(separator: ",").map { $0 == "1" }
    let texts = try heldOutTexts(report, splits, note: "gptq_sweep_texts")
    let rules = try PrecisionRules([PrecisionRule(#"^(token_embd|output)\.weight$"#, .q8_0)], default: .q4_0)
    func evaluate(_ group: [(String, LlamaModel, [String: Any])]) throws {
      try score(report, prefix: "sweep", group, base: base, texts: texts, evalTokens: evalTokens)
    }
    let rtn = try ModelQuantizer.quantize(base, options: ModelQuantOptions(rules: rules, method: .rtn))
    var group: [(String, LlamaModel, [String: Any])] = withRTN ? [("rtn_q4_0", rtn.model, ["seconds": rtn.seconds])] : []
    let all = try Calibration.windows(model: base, texts: splits.calibration, length: 256, count: counts.max() ?? 16)
    for n in counts {
      for act in actOrders {
        let o = ModelQuantOptions(rules: rules, method: .gptq(GPTQConfig(actOrder: act, skipFirstPositions: skip)), chunkLayers: chunk,
                                  trueSequential: trueSequential)
        let g = try ModelQuantizer.quantize(base, options: o, windows: Array(all.prefix(n)))
        let label = "\(g.report.variantLabel)_w\(n)\(skip == 0 ? "" : "_skip\(skip)")\(trueSequential ? "_truesequential" : "")"
        report.record("sweep_\(label)_seconds", g.seconds, unit: "s",
                      extra: ["windows": n, "chunk_layers": chunk, "skip_first_positions": skip, "loadavg": BenchReport.loadavg()])
        print(String(format: "  %@: GPTQ of the whole model %.1f s (load %@)", label, g.seconds, BenchReport.loadavg().description))
        group.append((label, g.model, ["seconds": g.seconds, "windows": n]))
      }
      try evaluate(group)
      group = []
    }
  }
}

extension GPTQSweepBench {
  /// The held-out texts quantization variants are scored on: the news split (in domain) and the HaluEval-QA knowledge
  /// passages (other domain); noted in the report under `note`.
  static func heldOutTexts(_ report: BenchReport, _ splits: TextSplits, note: String) throws -> [(String, [String])] {
    report.note(note, "in_domain = HaluEval summarization held-out split (news); other_domain = HaluEval-QA knowledge passages (Wikipedia)")
    return [("in_domain", splits.heldOut), ("other_domain", try HaluEval.knowledgePassages())]
  }

  /// Scores variants (name, model, extra fields) together against the F32 `base` on each text (one reference pass per
  /// window): records `<prefix>_<name>_<text>_perplexity` with KLD [CI], same-top-token rate and load, prints a line each.
  static func score(_ report: BenchReport, prefix: String, _ group: [(String, LlamaModel, [String: Any])], base: LlamaModel,
                    texts: [(String, [String])], evalTokens: Int) throws {
    let ref = LlamaScoringModel(base, name: "base-f32")
    var lines = group.map { "  \($0.0):" }
    for (textName, text) in texts {
      let results = try Perplexity.compare(models: group.map { LlamaScoringModel($0.1, name: $0.0) }, reference: ref, texts: text,
                                           context: 512, maxTokens: evalTokens)
      for (k, d) in results.enumerated() {
        var e = group[k].2
        e["kld"] = d.kld.mean; e["kld_lo"] = d.kld.lo; e["kld_hi"] = d.kld.hi; e["same_top_token"] = d.sameTopToken
        e["reference_perplexity"] = d.reference.perplexity; e["scored_tokens"] = d.model.scoredTokens
        e["loadavg"] = BenchReport.loadavg()
        report.record("\(prefix)_\(group[k].0)_\(textName)_perplexity", d.model.perplexity, unit: "ppl", extra: e)
        lines[k] += String(format: "  %@ ppl %.3f (ref %.3f) KLD %.4f [%.4f, %.4f] top %.3f (%d tokens)", textName,
                           d.model.perplexity, d.reference.perplexity, d.kld.mean, d.kld.lo, d.kld.hi, d.sameTopToken,
                           d.model.scoredTokens)
      }
    }
    for l in lines { print(l) }
  }
}
