// Model cards and the markdown report from an evaluation run.
import EdgeProfiles
import Foundation

extension EvalResults {
  /// The measured model card of this run. Task classes (the MEC environment's keys):
  ///   knowledge    ← BIG-bench general_knowledge acc;   hallucination = HaluEval-QA rate
  ///   commonsense  ← BIG-bench physical_intuition acc;  hallucination = HaluEval-QA rate
  ///   truthfulness ← TruthfulQA MC1;                    hallucination = 1 − MC1
  /// plus one entry per BIG-bench task ("bigbench/<task>") and per hallucination benchmark.
  public func card(name: String? = nil, devices: [DeviceProfile]? = nil) throws -> ModelCard {
    guard let generalization = generalization, let h = hallucination else {
      throw EvaluationError.invalidArgument("a model card needs the generalization and hallucination metrics; this run's suite had metrics = \(config.metrics)")
    }
    let f = footprint
    var c = ModelCard(name: name ?? model, source: .measured, baseModel: base, params: f.params,
                      storageBytes: f.storageBytes, flopsPerToken: f.flopsPerToken, bytesPerToken: f.bytesPerToken,
                      kvBytesPerToken: f.kvBytesPerToken)
    func tm(_ acc: Estimate, _ hal: Estimate, _ note: String) -> TaskMetrics {
      TaskMetrics(accuracy: acc.mean, hallucination: hal.mean, accuracyCI: [acc.lo, acc.hi],
                  hallucinationCI: [hal.lo, hal.hi], items: acc.n, note: note)
    }
    for t in generalization.tasks {
      c.tasks["bigbench/\(t.name)"] = tm(t.acc, h.haluEvalQA, "acc (raw loglik); hallucination from HaluEval-QA")
    }
    if let gk = generalization.tasks.first(where: { $0.name == "general_knowledge" }) {
      c.tasks[TaskClass.knowledge] = tm(gk.acc, h.haluEvalQA, "BIG-bench general_knowledge acc; HaluEval-QA hallucination")
    }
    if let pi = generalization.tasks.first(where: { $0.name == "physical_intuition" }) {
      c.tasks[TaskClass.commonsense] = tm(pi.acc, h.haluEvalQA, "BIG-bench physical_intuition acc; HaluEval-QA hallucination")
    }
    c.tasks[TaskClass.truthfulness] = tm(h.truthfulQAMC1, h.truthfulQA, "TruthfulQA MC1; hallucination = 1 − MC1")
    let heAcc = Estimate(mean: 1 - h.haluEvalQA.mean, lo: 1 - h.haluEvalQA.hi, hi: 1 - h.haluEvalQA.lo, n: h.haluEvalQA.n)
    c.tasks["halueval_qa"] = tm(heAcc, h.haluEvalQA, "right answer preferred (log-likelihood per character)")
    var m: [String: Double] = [
      "generalization_acc": generalization.acc.mean, "generalization_acc_norm": generalization.accNorm.mean,
      "perplexity": generalization.perplexity.perplexity, "perplexity_context": Double(generalization.perplexity.context),
      "hallucination_halueval_qa": h.haluEvalQA.mean, "hallucination_truthfulqa": h.truthfulQA.mean,
      "truthfulqa_mc2": h.truthfulQAMC2.mean,
    ]
    if let a = accessibility { m["population_fraction"] = a.populationFraction }
    if let d = generalization.divergence { m["kld_to_base"] = d.kld.mean; m["same_top_token_to_base"] = d.sameTopToken }
    if let host = energy?.host {
      m["host_query_cpu_seconds"] = host.cpuSeconds; m["host_query_joules_cpu_time"] = host.cpuTimeJoules
      m["host_query_wall_seconds"] = host.wallSeconds; m["host_decode_tokens_per_second"] = host.decodeTokensPerSecond
      if let r = host.raplJoules { m["host_query_joules_rapl"] = r }
    }
    c.metrics = m
    c.notes = ["measured by EdgeLab's evaluation suite (seed \(config.seed)); items per BIG-bench task \(config.itemsPerTask.map(String.init) ?? "all"), HaluEval-QA \(config.haluEvalItems.map(String.init) ?? "all"), TruthfulQA \(config.truthfulQAItems.map(String.init) ?? "all")",
               "intervals: 95% percentile bootstrap (\(config.bootstrapResamples) resamples)",
               "devices: analytic roofline model over the EdgeProfiles device table"]
    return try c.withDeviceMetrics(devices ?? config.devices ?? DeviceProfile.builtIn, query: config.query,
                                   access: config.accessibility, model: config.analytic)
  }

  /// A markdown report: definitions of the four metrics, then the numbers with 95% intervals.
  public func report() -> String {
    var s = "# Evaluation of \(model)\n\n"
    s += "Base: \(base ?? "none (this model is the reference)"). Seed \(config.seed). Wall time \(f(wallSeconds, 1)) s"
    s += cpuSeconds.map { " (process CPU \(f($0, 1)) s)" } ?? ""
    s += loadAverage.map { ", load average \(f($0, 2)) at start" } ?? ""
    s += ". Params \(f(footprint.params / 1e6, 1)) M, stored \(f(footprint.storageBytes / 1e6, 1)) MB "
    s += "(\(f(footprint.storageBytes * 8 / footprint.params, 2)) bits/weight).\n\n"
    if config.metrics != SuiteConfig.allMetrics { s += "Metrics run: \(config.metrics.joined(separator: ", ")).\n\n" }
    if let g = generalization { s += generalizationSection(g) }
    if let h = hallucination { s += hallucinationSection(h) }
    if let e = energy { s += energySection(e) }
    if let a = accessibility { s += accessibilitySection(a) }
    return s
  }

  func pct(_ e: Estimate) -> String { String(format: "%.1f%% [%.1f, %.1f]", 100 * e.mean, 100 * e.lo, 100 * e.hi) }
  func f(_ x: Double, _ d: Int = 3) -> String { String(format: "%.\(d)f", x) }

  func generalizationSection(_ generalization: GeneralizationMetric) -> String {
    var s = "## 1. Generalization accuracy\n\n\(GeneralizationMetric.definition)\n\n"
    s += "| task | kind | items | chance | acc (exact match) | acc_norm (normalized match) |\n|---|---|---|---|---|---|\n"
    for t in generalization.tasks {
      let chance = t.kind == .generative ? "" : "\(f(100 * t.chance, 1))%"
      s += "| \(t.name) | \(t.kind == .generative ? "generative" : "multiple choice") | \(t.acc.n) | \(chance) | \(pct(t.acc)) | \(pct(t.accNorm)) |\n"
    }
    s += "| **pooled** | | \(generalization.acc.n) | | \(pct(generalization.acc)) | \(pct(generalization.accNorm)) |\n\n"
    let p = generalization.perplexity
    s += "Perplexity on held-out text: **\(f(p.perplexity, 2))** (\(p.scoredTokens) tokens, \(p.windows) windows of \(p.context) tokens).\n"
    if let d = generalization.divergence {
      s += "KL divergence to the base: **\(f(d.kld.mean, 4)) nats/token** [\(f(d.kld.lo, 4)), \(f(d.kld.hi, 4))]; "
      s += "same top token \(f(100 * d.sameTopToken, 1))%; base perplexity \(f(d.reference.perplexity, 2)).\n"
    }
    if let fr = generalization.flipRateVsBase { s += "Answer-flip rate vs base (BIG-bench): \(f(100 * fr, 1))%.\n" }
    return s + "\n"
  }

  func hallucinationSection(_ h: HallucinationMetric) -> String {
    var s = "## 2. Hallucination rate\n\n\(HallucinationMetric.definition)\n\n"
    s += "| benchmark | items | hallucination rate |\n|---|---|---|\n"
    let lp = h.haluEvalLongerPicked
    func longer(_ k: String) -> String { lp[k].map { f(100 * $0, 1) + "%" } ?? "" }
    s += "| HaluEval-QA (per character; longer answer picked \(longer("char"))) | \(h.haluEvalQA.n) | **\(pct(h.haluEvalQA))** |\n"
    s += "| HaluEval-QA (mutual information, diagnostic; longer picked \(longer("mi"))) | \(h.haluEvalQAMI.n) | \(pct(h.haluEvalQAMI)) |\n"
    s += "| HaluEval-QA (raw log-likelihood, diagnostic; longer picked \(longer("raw"))) | \(h.haluEvalQARaw.n) | \(pct(h.haluEvalQARaw)) |\n"
    s += "| TruthfulQA-MC (1 − MC1) | \(h.truthfulQA.n) | **\(pct(h.truthfulQA))** |\n\n"
    s += "TruthfulQA MC1 \(pct(h.truthfulQAMC1)), MC2 \(pct(h.truthfulQAMC2)).\n"
    if let fr = h.flipRateVsBase { s += "Answer-flip rate vs base (HaluEval-QA + TruthfulQA): \(f(100 * fr, 1))%.\n" }
    if let d = h.haluEvalDeltaVsBase { s += "HaluEval-QA change vs base (paired): \(String(format: "%+.1f pts [%+.1f, %+.1f]", 100 * d.mean, 100 * d.lo, 100 * d.hi)).\n" }
    if let d = h.truthfulQADeltaVsBase { s += "TruthfulQA change vs base (paired): \(String(format: "%+.1f pts [%+.1f, %+.1f]", 100 * d.mean, 100 * d.lo, 100 * d.hi)).\n" }
    return s + "\n"
  }

  func energySection(_ energy: EnergyMetric) -> String {
    var s = "## 3. Energy per query\n\n\(EnergyMetric.definition)\n\n"
    s += "Query: \(energy.query.promptTokens) prompt + \(energy.query.outputTokens) output tokens; "
    s += "η_mem = \(config.analytic.memoryEfficiency), η_compute = \(config.analytic.computeEfficiency) (assumptions).\n\n"
    s += "| device | prefill s | decode s | latency s | energy J |\n|---|---|---|---|---|\n"
    let devs = config.devices ?? DeviceProfile.builtIn
    for d in devs {
      guard let c = energy.perDevice[d.name] else { continue }
      s += "| \(d.name) | \(f(c.prefillSeconds, 4)) | \(f(c.decodeSeconds, 3)) | \(f(c.totalSeconds, 3)) | \(f(c.totalJoules, 3)) |\n"
    }
    if let host = energy.host {
      s += "\nMeasured on this host: prefill \(f(host.prefillSeconds, 3)) s, decode \(f(host.decodeSeconds, 3)) s "
      s += "(\(f(host.decodeTokensPerSecond, 1)) tok/s), CPU time \(f(host.cpuSeconds, 3)) s → "
      s += "**\(f(host.cpuTimeJoules, 2)) J** at \(host.wattsPerCore) W per busy core (assumption)"
      s += host.raplJoules.map { "; RAPL \(f($0, 2)) J" } ?? "; RAPL not readable here"
      s += host.loadAverage.map { "; load \(f($0, 2))" } ?? ""
      s += ".\n"
    }
    return s + "\n"
  }

  func accessibilitySection(_ accessibility: AccessibilityMetric) -> String {
    var s = "## 4. Accessibility\n\n\(AccessibilityMetric.definition)\n\n"
    let a = accessibility.config
    s += "Context \(a.contextTokens) tokens, runtime overhead \(f(a.runtimeOverheadBytes / 1_048_576, 0)) MiB, "
    s += "threshold \(f(a.minDecodeTokensPerSecond, 1)) tok/s (assumptions).\n\n"
    s += "| device | needs MB | usable MB | fits | decode tok/s | accessible | share |\n|---|---|---|---|---|---|---|\n"
    for d in accessibility.perDevice {
      s += "| \(d.device) | \(f(d.requiredBytes / 1e6, 0)) | \(f(d.usableBytes / 1e6, 0)) | \(d.fits ? "yes" : "no") | "
      s += "\(f(d.decodeTokensPerSecond, 1)) | \(d.accessible ? "yes" : "no") | \(f(d.populationShare, 2)) |\n"
    }
    s += "\nPopulation fraction that can host it: **\(f(100 * accessibility.populationFraction, 1))%**.\n"
    return s
  }
}
