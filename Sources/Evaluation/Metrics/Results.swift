// What an evaluation run produces: the four ECLD metrics, each with its definition attached.
import EdgeProfiles

/// Size and per-token costs of a model as deployed (what the analytic energy / accessibility models need).
public struct ModelFootprint: Sendable, Equatable, Codable {
  public var params: Double
  /// Bytes of the stored (deployed) weights.
  public var storageBytes: Double
  public var flopsPerToken: Double
  /// Weight bytes read per decoded token.
  public var bytesPerToken: Double
  public var kvBytesPerToken: Double
  public init(params: Double, storageBytes: Double, flopsPerToken: Double, bytesPerToken: Double, kvBytesPerToken: Double) {
    self.params = params; self.storageBytes = storageBytes; self.flopsPerToken = flopsPerToken
    self.bytesPerToken = bytesPerToken; self.kvBytesPerToken = kvBytesPerToken
  }
}

/// A model that can state its footprint.
public protocol FootprintProviding { var footprint: ModelFootprint { get } }

/// Scores of one BIG-bench task. Multiple choice: acc, acc_norm, MC2 and the per-item scores. Generative:
/// acc = exact match, acc_norm = normalized match (Generative.swift), the answers in `generations`.
public struct TaskScore: Sendable, Equatable, Codable {
  public enum Kind: String, Sendable, Codable { case multipleChoice = "multiple_choice", generative }
  public var name: String
  public var kind: Kind
  public var chance: Double
  public var acc: Estimate
  public var accNorm: Estimate
  public var mc2: Estimate?
  public var items: [MCItemResult]
  public var generations: [GenItemResult]? = nil
}

public struct GeneralizationMetric: Sendable, Equatable, Codable {
  public static let definition = """
    Generalization accuracy: multiple-choice accuracy (acc = argmax summed log-likelihood of " " + choice; \
    acc_norm = argmax log-likelihood per character) on held-out BIG-bench tasks, each a fixed seeded subset \
    (generative tasks: greedy answer up to the first newline; acc = exact match, acc_norm = match after \
    case-folding and removing punctuation), pooled over all their items with a 95% seeded bootstrap interval; plus perplexity on held-out text \
    (HaluEval summarization documents of the held-out split, non-overlapping windows of the stated context) \
    and the KL divergence KL(P_base ‖ P_model) per token and the same-top-token rate against the base model \
    on the same windows.
    """
  public var tasks: [TaskScore]
  public var acc: Estimate
  public var accNorm: Estimate
  public var perplexity: PerplexityScore
  /// Against the base model (nil when the model is the base).
  public var divergence: DivergenceResult?
  /// Fraction of BIG-bench items whose raw-loglik answer differs from the base's.
  public var flipRateVsBase: Double?
}

public struct HallucinationMetric: Sendable, Equatable, Codable {
  public static let definition = """
    Hallucination rate: the fraction of items where the model prefers the hallucinated or false answer. \
    HaluEval-QA: the knowledge passage and question in context, right vs hallucinated answer. Right answers are \
    short spans and hallucinated ones full sentences, so the headline compares log-likelihood per character \
    (lm-eval's acc_norm) rather than the raw sum, which favours the short answer. No likelihood score is \
    length-neutral here: the report gives, for the per-character score, the raw sum and the pointwise mutual \
    information log p(answer | knowledge, question) − log p(answer | "Answer:"), the rate at which each picks \
    the longer answer, so HaluEval-QA rates are best read as paired changes against the base. TruthfulQA-MC (BIG-bench truthful_qa): 1 − MC1, where MC1 = the \
    best true answer has the highest log-likelihood among the MC1 choices; MC2 = Σp_true / (Σp_true + Σp_false) \
    with p = exp(log-likelihood) over all true and false reference answers. 95% seeded bootstrap intervals; \
    answer-flip rate and paired difference against the base model.
    """
  /// Headline: preference by log-likelihood per character.
  public var haluEvalQA: Estimate
  /// Diagnostic: preference by mutual information with the knowledge and question.
  public var haluEvalQAMI: Estimate
  /// Diagnostic: preference by raw log-likelihood.
  public var haluEvalQARaw: Estimate
  /// Fraction of HaluEval-QA items where the preferred answer is the longer one, per scoring (mi, char, raw).
  public var haluEvalLongerPicked: [String: Double]
  public var truthfulQA: Estimate
  public var truthfulQAMC1: Estimate
  public var truthfulQAMC2: Estimate
  public var haluEvalItems: [MCItemResult]
  public var truthfulQAItems: [MCItemResult]
  public var flipRateVsBase: Double?
  /// Paired difference (model − base) of the HaluEval-QA hallucination indicator.
  public var haluEvalDeltaVsBase: Estimate?
  public var truthfulQADeltaVsBase: Estimate?
}

public struct EnergyMetric: Sendable, Equatable, Codable {
  public static let definition = """
    Energy per query: prefill + decode energy of the stated query shape on each device class from the \
    analytic roofline model (decode: (weight bytes + KV bytes at the current context) / (η_mem · bandwidth) per \
    token; prefill: prompt FLOPs / (η_compute · peak FLOP/s), each bounded below by the other roofline; \
    × active power), with the device numbers and sources in the EdgeProfiles table; plus the same query \
    measured on this host (prefill + greedy decode, wall and CPU time; energy = CPU time × watts per core, or \
    RAPL package energy when /sys/class/powercap is readable).
    """
  public var query: QueryShape
  public var perDevice: [String: QueryCost]
  public var host: HostMeasurement?
}

public struct AccessibilityMetric: Sendable, Equatable, Codable {
  public static let definition = """
    Accessibility: per device class, the model fits (weights + KV cache at the stated context + runtime \
    overhead ≤ RAM × usable fraction) and decodes at or above the usability threshold at that context \
    (analytic decode speed); the population fraction is the summed population share of the device classes \
    that can host it.
    """
  public var config: AccessibilityConfig
  public var perDevice: [DeviceAccess]
  public var populationFraction: Double
}

/// One evaluation run of one model.
public struct EvalResults: Sendable, Equatable, Codable {
  public var model: String
  public var base: String?
  public var footprint: ModelFootprint
  public var config: SuiteConfig
  /// Each metric is nil when the suite's `metrics` list left it out.
  public var generalization: GeneralizationMetric?
  public var hallucination: HallucinationMetric?
  public var energy: EnergyMetric?
  public var accessibility: AccessibilityMetric?
  public var wallSeconds: Double
  /// Process CPU seconds (all threads) over the run: wall time on an idle machine is ≈ cpuSeconds / threads.
  public var cpuSeconds: Double?
  public var loadAverage: Double?
}
