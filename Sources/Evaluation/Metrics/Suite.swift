// The evaluation suite: runs the four ECLD metrics on one model (definitions in Results.swift).
import EdgeProfiles
import Foundation

/// The base model a variant is compared with: its model (for KL divergence) and/or its results (for
/// answer-flip rates and paired differences; must come from the same suite configuration).
public struct BaseReference {
  public var model: ScoringModel?
  public var results: EvalResults?
  public init(model: ScoringModel? = nil, results: EvalResults? = nil) { self.model = model; self.results = results }
}

public enum Suite {
  /// Runs the suite. `progress` receives short status lines (stage, items done).
  public static func run(model: ScoringModel, footprint: ModelFootprint, config: SuiteConfig = SuiteConfig(),
                         base: BaseReference? = nil, progress: ((String) -> Void)? = nil) throws -> EvalResults {
    try config.validate()
    let start = Host.now(), cpu0 = Host.cpuSeconds(), load = Host.loadAverage()
    let files = DataFiles(root: config.dataDir)
    let R = config.bootstrapResamples, seed = config.seed
    func est(_ x: [Double], _ stream: String) -> Estimate { Bootstrap.mean(x, resamples: R, seed: seed, stream: stream) }
    func note(_ s: String) { progress?(s) }

    // Generalization: BIG-bench multiple choice.
    var taskScores: [TaskScore] = []
    for name in config.tasks {
      let task = try BigBench.load(task: name, files: files, appendChoices: config.appendChoices).subset(n: config.itemsPerTask, seed: seed)
      let res = try MultipleChoice.evaluate(model: model, task: task, reusePrefix: config.reusePrefix) { d, n in
        note("generalization \(name) \(d)/\(n)")
      }
      taskScores.append(TaskScore(name: name, chance: task.chance, acc: est(res.map(\.acc), "acc/\(name)"),
                                  accNorm: est(res.map(\.accNorm), "acc_norm/\(name)"),
                                  mc2: est(res.map(\.mc2), "mc2/\(name)"), items: res))
    }
    let pooled = taskScores.flatMap(\.items)

    // Perplexity and divergence on held-out text.
    note("perplexity")
    let heldOut = try TextSplits.haluEval(files: files).heldOut
    var divergence: DivergenceResult? = nil
    let ppl: PerplexityScore
    if let bm = base?.model {
      let d = try Perplexity.compare(model: model, reference: bm, texts: heldOut, context: config.perplexityContext,
                                     maxTokens: config.perplexityTokens, seed: seed, resamples: R)
      divergence = d; ppl = d.model
    } else {
      ppl = try Perplexity.evaluate(model: model, texts: heldOut, context: config.perplexityContext,
                                    maxTokens: config.perplexityTokens)
    }

    // Hallucination: HaluEval-QA and TruthfulQA-MC.
    let halu = try HaluEval.load(.qa, files: files).subset(n: config.haluEvalItems, seed: seed)
    let hRes = try MultipleChoice.evaluate(model: model, task: halu, reusePrefix: config.reusePrefix,
                                           unconditionalContext: HaluEval.unconditionalContext) { d, n in
      note("hallucination halueval_qa \(d)/\(n)")
    }
    let tqa = try BigBench.truthfulQA(files: files).subset(n: config.truthfulQAItems, seed: seed)
    let tRes = try MultipleChoice.evaluate(model: model, task: tqa, reusePrefix: config.reusePrefix) { d, n in
      note("hallucination truthful_qa \(d)/\(n)")
    }
    var hallucination = HallucinationMetric(
      haluEvalQA: est(hRes.map { 1 - $0.accNorm }, "halueval"), haluEvalQAMI: est(hRes.map { 1 - ($0.accMI ?? 0) }, "halueval_mi"),
      haluEvalQARaw: est(hRes.map { 1 - $0.acc }, "halueval_raw"),
      haluEvalLongerPicked: [
        "mi": longerPicked(hRes) { $0.predictedMI ?? 0 }, "char": longerPicked(hRes) { $0.predictedNorm },
        "raw": longerPicked(hRes) { $0.predicted }],
      truthfulQA: est(tRes.map { 1 - $0.acc }, "truthfulqa"), truthfulQAMC1: est(tRes.map(\.acc), "mc1"),
      truthfulQAMC2: est(tRes.map(\.mc2), "mc2"), haluEvalItems: hRes, truthfulQAItems: tRes)
    var generalization = GeneralizationMetric(tasks: taskScores, acc: est(pooled.map(\.acc), "acc"),
                                              accNorm: est(pooled.map(\.accNorm), "acc_norm"),
                                              perplexity: ppl, divergence: divergence)

    // Against the base's answers.
    if let b = base?.results {
      let bPooled = b.generalization.tasks.flatMap(\.items)
      try sameItems(pooled, bPooled, "BIG-bench")
      try sameItems(hRes, b.hallucination.haluEvalItems, "HaluEval-QA")
      try sameItems(tRes, b.hallucination.truthfulQAItems, "TruthfulQA")
      generalization.flipRateVsBase = try Bootstrap.flipRate(pooled.map(\.predicted), bPooled.map(\.predicted))
      hallucination.flipRateVsBase = try Bootstrap.flipRate(
        hRes.map(\.predictedNorm) + tRes.map(\.predicted),
        b.hallucination.haluEvalItems.map(\.predictedNorm) + b.hallucination.truthfulQAItems.map(\.predicted))
      hallucination.haluEvalDeltaVsBase = try Bootstrap.pairedDifference(
        hRes.map { 1 - $0.accNorm }, b.hallucination.haluEvalItems.map { 1 - $0.accNorm }, resamples: R, seed: seed,
        stream: "delta/halueval")
      hallucination.truthfulQADeltaVsBase = try Bootstrap.pairedDifference(
        tRes.map { 1 - $0.acc }, b.hallucination.truthfulQAItems.map { 1 - $0.acc }, resamples: R, seed: seed,
        stream: "delta/truthfulqa")
    }

    // Energy per query and accessibility.
    let card = footprintCard(name: model.name, footprint: footprint)
    let devices = config.devices ?? DeviceProfile.builtIn
    var perDevice: [String: QueryCost] = [:]
    for d in devices {
      perDevice[d.name] = try AnalyticModel.queryCost(card: card, device: d, query: config.query, config: config.analytic)
    }
    var host: HostMeasurement? = nil
    if config.measureHost {
      note("host measurement")
      let stream = Perplexity.tokenStream(model: model, texts: heldOut, maxTokens: config.query.promptTokens)
      let prompt = Array((model.prefixTokens + stream).prefix(config.query.promptTokens))
      host = try Host.measure(model: model, prompt: prompt, outputTokens: config.query.outputTokens,
                              wattsPerCore: config.hostWattsPerCore)
    }
    let access = devices.map { AnalyticModel.access(card: card, device: $0, config: config.accessibility, model: config.analytic) }
    let population = AnalyticModel.populationFraction(card: card, devices: devices, config: config.accessibility,
                                                      model: config.analytic)
    return EvalResults(
      model: model.name, base: base?.model?.name ?? base?.results?.model, footprint: footprint, config: config,
      generalization: generalization, hallucination: hallucination,
      energy: EnergyMetric(query: config.query, perDevice: perDevice, host: host),
      accessibility: AccessibilityMetric(config: config.accessibility, perDevice: access, populationFraction: population),
      wallSeconds: Host.now() - start, cpuSeconds: Host.cpuSeconds() - cpu0, loadAverage: load)
  }

  /// Fraction of items whose picked choice (by `pick`) is the longest one (characters).
  static func longerPicked(_ r: [MCItemResult], _ pick: (MCItemResult) -> Int) -> Double {
    guard !r.isEmpty else { return 0 }
    let n = r.filter { x in
      let p = pick(x)
      return x.charLengths.indices.allSatisfy { x.charLengths[p] >= x.charLengths[$0] }
    }.count
    return Double(n) / Double(r.count)
  }

  static func sameItems(_ a: [MCItemResult], _ b: [MCItemResult], _ what: String) throws {
    guard a.map(\.id) == b.map(\.id) else {
      throw EvaluationError.invalidArgument("base results cover different \(what) items: run the base with the same suite configuration")
    }
  }

  /// A measured card skeleton from a footprint (tasks filled by `EvalResults.card`).
  static func footprintCard(name: String, footprint f: ModelFootprint) -> ModelCard {
    ModelCard(name: name, source: .measured, params: f.params, storageBytes: f.storageBytes,
              flopsPerToken: f.flopsPerToken, bytesPerToken: f.bytesPerToken, kvBytesPerToken: f.kvBytesPerToken)
  }
}
