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
    var generalization: GeneralizationMetric? = nil, hallucination: HallucinationMetric? = nil
    if config.runs("generalization") {
      generalization = try runGeneralization(model: model, config: config, files: files, base: base, note: progress)
    }
    if config.runs("hallucination") {
      hallucination = try runHallucination(model: model, config: config, files: files, base: base, note: progress)
    }
    // Energy per query and accessibility.
    let card = footprintCard(name: model.name, footprint: footprint)
    let devices = config.devices ?? DeviceProfile.builtIn
    var energy: EnergyMetric? = nil
    if config.runs("energy") {
      var perDevice: [String: QueryCost] = [:]
      for d in devices {
        perDevice[d.name] = try AnalyticModel.queryCost(card: card, device: d, query: config.query, config: config.analytic)
      }
      var host: HostMeasurement? = nil
      if config.measureHost {
        progress?("host measurement")
        let heldOut = (try? TextSplits.haluEval(files: files).heldOut) ?? ["The quick brown fox jumps over the lazy dog."]
        var stream = Perplexity.tokenStream(model: model, texts: heldOut, maxTokens: config.query.promptTokens)
        while !stream.isEmpty && stream.count < config.query.promptTokens { stream += stream }
        let prompt = Array((model.prefixTokens + stream).prefix(config.query.promptTokens))
        host = try Host.measure(model: model, prompt: prompt, outputTokens: config.query.outputTokens,
                                wattsPerCore: config.hostWattsPerCore)
      }
      energy = EnergyMetric(query: config.query, perDevice: perDevice, host: host)
    }
    var accessibility: AccessibilityMetric? = nil
    if config.runs("accessibility") {
      let access = devices.map { AnalyticModel.access(card: card, device: $0, config: config.accessibility, model: config.analytic) }
      let population = AnalyticModel.populationFraction(card: card, devices: devices, config: config.accessibility,
                                                        model: config.analytic)
      accessibility = AccessibilityMetric(config: config.accessibility, perDevice: access, populationFraction: population)
    }
    return EvalResults(
      model: model.name, base: base?.model?.name ?? base?.results?.model, footprint: footprint, config: config,
      generalization: generalization, hallucination: hallucination, energy: energy, accessibility: accessibility,
      wallSeconds: Host.now() - start, cpuSeconds: Host.cpuSeconds() - cpu0, loadAverage: load)
  }

  static func estimate(_ config: SuiteConfig) -> ([Double], String) -> Estimate {
    { x, stream in Bootstrap.mean(x, resamples: config.bootstrapResamples, seed: config.seed, stream: stream) }
  }

  /// BIG-bench tasks (multiple choice by log-likelihood, generative by greedy answers) and held-out perplexity.
  static func runGeneralization(model: ScoringModel, config: SuiteConfig, files: DataFiles, base: BaseReference?,
                                note: ((String) -> Void)?) throws -> GeneralizationMetric {
    let est = estimate(config), seed = config.seed
    var taskScores: [TaskScore] = []
    for name in config.tasks {
      switch try BigBench.loadAny(task: name, files: files, appendChoices: config.appendChoices) {
      case .multipleChoice(let full):
        let task = full.subset(n: config.itemsPerTask, seed: seed)
        let res = try MultipleChoice.evaluate(model: model, task: task, reusePrefix: config.reusePrefix) { d, n in
          note?("generalization \(name) \(d)/\(n)")
        }
        taskScores.append(TaskScore(name: name, kind: .multipleChoice, chance: task.chance, acc: est(res.map(\.acc), "acc/\(name)"),
                                    accNorm: est(res.map(\.accNorm), "acc_norm/\(name)"),
                                    mc2: est(res.map(\.mc2), "mc2/\(name)"), items: res))
      case .generative(let full):
        let task = full.subset(n: config.itemsPerTask, seed: seed)
        let res = try Generative.evaluate(model: model, task: task, maxTokens: config.generationTokens) { d, n in
          note?("generalization \(name) \(d)/\(n) (generative)")
        }
        taskScores.append(TaskScore(name: name, kind: .generative, chance: 0, acc: est(res.map(\.exactMatch), "acc/\(name)"),
                                    accNorm: est(res.map(\.normalizedMatch), "acc_norm/\(name)"), mc2: nil, items: [],
                                    generations: res))
      }
    }
    // Pooled over every item: multiple-choice acc / acc_norm, generative exact / normalized match.
    let pooledAcc = taskScores.flatMap { $0.kind == .generative ? ($0.generations ?? []).map(\.exactMatch) : $0.items.map(\.acc) }
    let pooledNorm = taskScores.flatMap { $0.kind == .generative ? ($0.generations ?? []).map(\.normalizedMatch) : $0.items.map(\.accNorm) }
    let pooled = taskScores.flatMap(\.items)

    // Perplexity and divergence on held-out text.
    note?("perplexity")
    let heldOut = try TextSplits.haluEval(files: files).heldOut
    var divergence: DivergenceResult? = nil
    let ppl: PerplexityScore
    if let bm = base?.model {
      let d = try Perplexity.compare(model: model, reference: bm, texts: heldOut, context: config.perplexityContext,
                                     maxTokens: config.perplexityTokens, seed: seed, resamples: config.bootstrapResamples)
      divergence = d; ppl = d.model
    } else {
      ppl = try Perplexity.evaluate(model: model, texts: heldOut, context: config.perplexityContext,
                                    maxTokens: config.perplexityTokens)
    }
    var g = GeneralizationMetric(tasks: taskScores, acc: est(pooledAcc, "acc"), accNorm: est(pooledNorm, "acc_norm"),
                                 perplexity: ppl, divergence: divergence)
    if let b = base?.results?.generalization {
      let bPooled = b.tasks.flatMap(\.items)
      try sameItems(pooled, bPooled, "BIG-bench")
      if !pooled.isEmpty { g.flipRateVsBase = try Bootstrap.flipRate(pooled.map(\.predicted), bPooled.map(\.predicted)) }
    }
    return g
  }

  /// HaluEval-QA and TruthfulQA-MC.
  static func runHallucination(model: ScoringModel, config: SuiteConfig, files: DataFiles, base: BaseReference?,
                               note: ((String) -> Void)?) throws -> HallucinationMetric {
    let est = estimate(config), seed = config.seed, R = config.bootstrapResamples
    let halu = try HaluEval.load(.qa, files: files).subset(n: config.haluEvalItems, seed: seed)
    let hRes = try MultipleChoice.evaluate(model: model, task: halu, reusePrefix: config.reusePrefix,
                                           unconditionalContext: HaluEval.unconditionalContext) { d, n in
      note?("hallucination halueval_qa \(d)/\(n)")
    }
    let tqa = try BigBench.truthfulQA(files: files).subset(n: config.truthfulQAItems, seed: seed)
    let tRes = try MultipleChoice.evaluate(model: model, task: tqa, reusePrefix: config.reusePrefix) { d, n in
      note?("hallucination truthful_qa \(d)/\(n)")
    }
    var h = HallucinationMetric(
      haluEvalQA: est(hRes.map { 1 - $0.accNorm }, "halueval"), haluEvalQAMI: est(hRes.map { 1 - ($0.accMI ?? 0) }, "halueval_mi"),
      haluEvalQARaw: est(hRes.map { 1 - $0.acc }, "halueval_raw"),
      haluEvalLongerPicked: [
        "mi": longerPicked(hRes) { $0.predictedMI ?? 0 }, "char": longerPicked(hRes) { $0.predictedNorm },
        "raw": longerPicked(hRes) { $0.predicted }],
      truthfulQA: est(tRes.map { 1 - $0.acc }, "truthfulqa"), truthfulQAMC1: est(tRes.map(\.acc), "mc1"),
      truthfulQAMC2: est(tRes.map(\.mc2), "mc2"), haluEvalItems: hRes, truthfulQAItems: tRes)
    if let b = base?.results?.hallucination {
      try sameItems(hRes, b.haluEvalItems, "HaluEval-QA")
      try sameItems(tRes, b.truthfulQAItems, "TruthfulQA")
      h.flipRateVsBase = try Bootstrap.flipRate(
        hRes.map(\.predictedNorm) + tRes.map(\.predicted), b.haluEvalItems.map(\.predictedNorm) + b.truthfulQAItems.map(\.predicted))
      h.haluEvalDeltaVsBase = try Bootstrap.pairedDifference(
        hRes.map { 1 - $0.accNorm }, b.haluEvalItems.map { 1 - $0.accNorm }, resamples: R, seed: seed, stream: "delta/halueval")
      h.truthfulQADeltaVsBase = try Bootstrap.pairedDifference(
        tRes.map { 1 - $0.acc }, b.truthfulQAItems.map { 1 - $0.acc }, resamples: R, seed: seed, stream: "delta/truthfulqa")
    }
    return h
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
