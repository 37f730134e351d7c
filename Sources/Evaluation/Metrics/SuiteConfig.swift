// Configuration of an evaluation suite run (documented defaults; every field optional in JSON / Lua).
import EdgeProfiles
import TensorCore

public struct SuiteConfig: Codable, Sendable, Equatable {
  /// Root seed: item subsets and bootstrap resamples derive from it.
  public var seed: UInt64 = 1234
  /// The metrics to run (any subset, e.g. ["generalization"]): generalization (BIG-bench + held-out
  /// perplexity), hallucination (HaluEval-QA + TruthfulQA), energy (analytic + this host), accessibility.
  public var metrics: [String] = SuiteConfig.allMetrics
  public static let allMetrics = ["generalization", "hallucination", "energy", "accessibility"]
  /// BIG-bench tasks for generalization accuracy: "task", "task/subtask" or a composite task (its subtasks
  /// pooled); multiple-choice or generative (see Generative.swift).
  public var tasks: [String] = BigBench.generalizationTasks
  /// New tokens generated per item of a generative BIG-bench task (the answer ends at the first newline).
  public var generationTokens: Int = 32
  /// List the choices in the BIG-bench prompt ("\n  choice: …"): nil = follow each task file. Default false:
  /// on SmolLM2-135M (general_knowledge, first 40 items) acc was 40% without and 15% with the list — small
  /// models copy a listed choice instead of answering (lm-eval scores the bare question the same way).
  public var appendChoices: Bool? = false
  /// Items per BIG-bench task (fixed seeded subset; nil or 0 in JSON/Lua = all).
  public var itemsPerTask: Int? = 40
  /// HaluEval-QA items (nil = all 10 000).
  public var haluEvalItems: Int? = 100
  /// TruthfulQA-MC items (nil = all 299).
  public var truthfulQAItems: Int? = 60
  /// Tokens per perplexity / KLD window (the stated context).
  public var perplexityContext: Int = 256
  /// Held-out tokens scored for perplexity / KLD.
  public var perplexityTokens: Int = 4096
  /// Bootstrap resamples for the 95% intervals.
  public var bootstrapResamples: Int = 1000
  /// Query shape for energy per query (analytic and measured on this host).
  public var query: QueryShape = .standard
  public var accessibility: AccessibilityConfig = .init()
  public var analytic: AnalyticModelConfig = .init()
  /// Device classes (nil = the built-in table).
  public var devices: [DeviceProfile]? = nil
  /// Power of one busy core of this host, for CPU-time energy. Assumption: 3.75 W (a 96-core, 360 W
  /// AMD EPYC Zen 4 package divided by its cores); RAPL counters replace it when readable.
  public var hostWattsPerCore: Double = 3.75
  /// Measure the query on this host (prefill + greedy decode).
  public var measureHost: Bool = true
  /// Score MC items with prefix KV reuse (false only for benchmarking).
  public var reusePrefix: Bool = true
  /// Data root (nil = `DataFiles()` default: $EDGELAB_DATA or assets/data; the Lua face fills in the
  /// repository's assets/data so scripts work from any directory).
  public var dataDir: String? = nil

  public init() {}

  /// A small profile for smoke tests and CI.
  public static var smoke: SuiteConfig {
    var c = SuiteConfig()
    c.itemsPerTask = 5; c.haluEvalItems = 8; c.truthfulQAItems = 5
    c.perplexityContext = 64; c.perplexityTokens = 256; c.bootstrapResamples = 200
    c.query = QueryShape(promptTokens: 32, outputTokens: 8)
    return c
  }

  enum CodingKeys: String, CodingKey, CaseIterable {
    case seed, metrics, tasks, generationTokens, appendChoices, itemsPerTask, haluEvalItems, truthfulQAItems, perplexityContext, perplexityTokens,
         bootstrapResamples, query, accessibility, analytic, devices, hostWattsPerCore, measureHost, reusePrefix,
         dataDir
  }

  /// The accepted option names (for rejecting typos in Lua option tables).
  public static var optionNames: [String] { CodingKeys.allCases.map(\.rawValue) }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let d = SuiteConfig()
    seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed
    metrics = try c.decodeIfPresent([String].self, forKey: .metrics) ?? d.metrics
    tasks = try c.decodeIfPresent([String].self, forKey: .tasks) ?? d.tasks
    generationTokens = try c.decodeIfPresent(Int.self, forKey: .generationTokens) ?? d.generationTokens
    appendChoices = c.contains(.appendChoices) ? try c.decodeIfPresent(Bool.self, forKey: .appendChoices) : d.appendChoices
    // 0 means all items — Lua tables cannot hold nil; a negative count is an error.
    func count(_ k: CodingKeys, _ def: Int?) throws -> Int? {
      guard c.contains(k) else { return def }
      let v = try c.decodeIfPresent(Int.self, forKey: k)
      if let n = v, n < 0 {
        throw DecodingError.dataCorruptedError(forKey: k, in: c, debugDescription: "must be ≥ 0 (0 = all items), got \(n)")
      }
      return v.flatMap { $0 > 0 ? $0 : nil }
    }
    itemsPerTask = try count(.itemsPerTask, d.itemsPerTask)
    haluEvalItems = try count(.haluEvalItems, d.haluEvalItems)
    truthfulQAItems = try count(.truthfulQAItems, d.truthfulQAItems)
    perplexityContext = try c.decodeIfPresent(Int.self, forKey: .perplexityContext) ?? d.perplexityContext
    perplexityTokens = try c.decodeIfPresent(Int.self, forKey: .perplexityTokens) ?? d.perplexityTokens
    bootstrapResamples = try c.decodeIfPresent(Int.self, forKey: .bootstrapResamples) ?? d.bootstrapResamples
    query = try c.decodeIfPresent(QueryShape.self, forKey: .query) ?? d.query
    accessibility = try c.decodeIfPresent(AccessibilityConfig.self, forKey: .accessibility) ?? d.accessibility
    analytic = try c.decodeIfPresent(AnalyticModelConfig.self, forKey: .analytic) ?? d.analytic
    devices = try c.decodeIfPresent([DeviceProfile].self, forKey: .devices)
    hostWattsPerCore = try c.decodeIfPresent(Double.self, forKey: .hostWattsPerCore) ?? d.hostWattsPerCore
    measureHost = try c.decodeIfPresent(Bool.self, forKey: .measureHost) ?? d.measureHost
    reusePrefix = try c.decodeIfPresent(Bool.self, forKey: .reusePrefix) ?? d.reusePrefix
    dataDir = try c.decodeIfPresent(String.self, forKey: .dataDir)
  }

  /// "All items" (nil) is written as 0, the spelling the decoder reads as all: a suite that goes out to Lua (or JSON)
  /// and comes back keeps "all" instead of falling back to the default count.
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(seed, forKey: .seed); try c.encode(metrics, forKey: .metrics); try c.encode(tasks, forKey: .tasks)
    try c.encode(generationTokens, forKey: .generationTokens)
    try c.encodeIfPresent(appendChoices, forKey: .appendChoices)
    try c.encode(itemsPerTask ?? 0, forKey: .itemsPerTask)
    try c.encode(haluEvalItems ?? 0, forKey: .haluEvalItems)
    try c.encode(truthfulQAItems ?? 0, forKey: .truthfulQAItems)
    try c.encode(perplexityContext, forKey: .perplexityContext); try c.encode(perplexityTokens, forKey: .perplexityTokens)
    try c.encode(bootstrapResamples, forKey: .bootstrapResamples); try c.encode(query, forKey: .query)
    try c.encode(accessibility, forKey: .accessibility); try c.encode(analytic, forKey: .analytic)
    try c.encodeIfPresent(devices, forKey: .devices); try c.encode(hostWattsPerCore, forKey: .hostWattsPerCore)
    try c.encode(measureHost, forKey: .measureHost); try c.encode(reusePrefix, forKey: .reusePrefix)
    try c.encodeIfPresent(dataDir, forKey: .dataDir)
  }

  public func runs(_ metric: String) -> Bool { metrics.contains(metric) }

  public func validate() throws {
    func bad(_ m: String) -> EvaluationError { .invalidArgument("suite: \(m)") }
    for (k, v) in [("items_per_task", itemsPerTask), ("halu_eval_items", haluEvalItems), ("truthful_qa_items", truthfulQAItems)] {
      if let v = v, v < 1 { throw bad("\(k) must be ≥ 1 or nil (got \(v))") }
    }
    for (k, v) in [("items_per_task", itemsPerTask), ("halu_eval_items", haluEvalItems), ("truthful_qa_items", truthfulQAItems)] {
      if let v = v { try Limits.size(v, max: 1_000_000, name: k, min: 1) }
    }
    try Limits.size(perplexityContext, max: 1 << 20, name: "perplexity_context", min: 8)
    try Limits.size(perplexityTokens, max: 1 << 26, name: "perplexity_tokens", min: 8)
    try Limits.size(bootstrapResamples, max: 1_000_000, name: "bootstrap_resamples")
    try Limits.real(hostWattsPerCore, name: "host_watts_per_core", min: 0, max: 1e4)
    for m in metrics where !SuiteConfig.allMetrics.contains(m) {
      throw bad("unknown metric '\(m)' (valid: \(SuiteConfig.allMetrics.joined(separator: ", ")))")
    }
    if metrics.isEmpty { throw bad("metrics must name at least one of \(SuiteConfig.allMetrics.joined(separator: ", "))") }
    if generationTokens < 1 || generationTokens > 1024 { throw bad("generation_tokens must be in 1...1024 (got \(generationTokens))") }
    if perplexityContext < 8 { throw bad("perplexity_context must be ≥ 8 (got \(perplexityContext))") }
    if perplexityTokens < perplexityContext { throw bad("perplexity_tokens must be ≥ perplexity_context") }
    if bootstrapResamples < 0 { throw bad("bootstrap_resamples must be ≥ 0") }
    if !(hostWattsPerCore > 0) { throw bad("host_watts_per_core must be > 0") }
    try query.validate(); try analytic.validate()
    for d in devices ?? [] { try d.validate() }
  }
}
