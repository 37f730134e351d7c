// Model cards: one record per evaluated model variant — the MEC environment's input.
// JSON (sorted keys, pretty-printed) so cards diff cleanly and are byte-identical for identical content.
import Foundation

/// Where a card's numbers come from.
public enum ModelCardSource: String, Codable, Sendable {
  /// Measured by EdgeLab's evaluation suite on this machine.
  case measured
  /// Built from published sizes and scores (docs/REFERENCES.md) for models too large to run here.
  case paperScale = "paper-scale"
}

/// Task classes a query can belong to (the MEC environment draws one per query). Cards may carry others.
public enum TaskClass {
  /// Closed-book knowledge questions (MMLU, BIG-bench general_knowledge).
  public static let knowledge = "knowledge"
  /// Commonsense / physical reasoning (HellaSwag, BIG-bench physical_intuition).
  public static let commonsense = "commonsense"
  /// Questions that invite false beliefs or hallucinations (TruthfulQA, HaluEval-QA).
  public static let truthfulness = "truthfulness"
  public static let all = [knowledge, commonsense, truthfulness]
}

/// Quality of a model on one task class. Fractions in [0, 1].
public struct TaskMetrics: Codable, Sendable, Equatable {
  /// Probability of a correct answer.
  public var accuracy: Double
  /// Probability that the answer is a hallucination (the model prefers a false / hallucinated answer).
  public var hallucination: Double
  /// 95% confidence interval of `accuracy` ([lo, hi]) when measured.
  public var accuracyCI: [Double]?
  /// 95% confidence interval of `hallucination` ([lo, hi]) when measured.
  public var hallucinationCI: [Double]?
  /// Number of items behind the figure (measured cards).
  public var items: Int?
  /// Provenance of the two numbers.
  public var note: String?

  public init(accuracy: Double, hallucination: Double, accuracyCI: [Double]? = nil,
              hallucinationCI: [Double]? = nil, items: Int? = nil, note: String? = nil) {
    self.accuracy = accuracy; self.hallucination = hallucination; self.accuracyCI = accuracyCI
    self.hallucinationCI = hallucinationCI; self.items = items; self.note = note
  }
}

/// Cost and feasibility of the card's reference query on one device class.
public struct DeviceMetrics: Codable, Sendable, Equatable {
  /// Weights + KV cache at the stated context + runtime overhead fit in the device's usable memory.
  public var fits: Bool
  /// Decode speed at the stated context (tokens/s, analytic).
  public var decodeTokensPerSecond: Double
  /// Fits and decodes at least the usability threshold.
  public var accessible: Bool
  /// Latency of the reference query (prefill + decode), seconds.
  public var latencySeconds: Double
  /// Energy of the reference query (prefill + decode), joules.
  public var energyJoules: Double

  public init(fits: Bool, decodeTokensPerSecond: Double, accessible: Bool, latencySeconds: Double,
              energyJoules: Double) {
    self.fits = fits; self.decodeTokensPerSecond = decodeTokensPerSecond; self.accessible = accessible
    self.latencySeconds = latencySeconds; self.energyJoules = energyJoules
  }
}

/// A query's size in tokens.
public struct QueryShape: Codable, Sendable, Equatable, Hashable {
  public var promptTokens: Int
  public var outputTokens: Int
  public init(promptTokens: Int, outputTokens: Int) {
    self.promptTokens = promptTokens; self.outputTokens = outputTokens
  }
  /// The default query shape of EdgeLab reports: a 256-token prompt and a 128-token answer (assumption:
  /// a short chat turn with some context).
  public static let standard = QueryShape(promptTokens: 256, outputTokens: 128)

  public func validate() throws {
    if promptTokens < 1 { throw EdgeProfilesError.invalidQuery("prompt_tokens must be >= 1 (got \(promptTokens))") }
    if outputTokens < 0 { throw EdgeProfilesError.invalidQuery("output_tokens must be >= 0 (got \(outputTokens))") }
  }
}

/// One evaluated model variant.
public struct ModelCard: Codable, Sendable, Equatable {
  public var name: String
  public var source: ModelCardSource
  /// The uncompressed model this variant derives from (nil for a base model).
  public var baseModel: String?
  /// Number of parameters.
  public var params: Double
  /// Bytes of the stored weights (as deployed, i.e. compressed).
  public var storageBytes: Double
  /// storageBytes × 8 / params.
  public var bitsPerWeight: Double
  /// Forward FLOPs per token (≈ 2 × params for the matmuls).
  public var flopsPerToken: Double
  /// Weight bytes read from memory per decoded token (≈ storageBytes: every weight once per token).
  public var bytesPerToken: Double
  /// KV-cache bytes appended per token of context.
  public var kvBytesPerToken: Double
  /// Quality per task class (keys: `TaskClass` names or task names).
  public var tasks: [String: TaskMetrics]
  /// Per-device cost of `query` (keys: device profile names), when computed.
  public var devices: [String: DeviceMetrics]?
  /// The query shape `devices` refers to.
  public var query: QueryShape?
  /// Context length (tokens) the accessibility check in `devices` used.
  public var contextTokens: Int?
  /// Extra measured figures (perplexity, KLD, …) by name.
  public var metrics: [String: Double]?
  /// Provenance: one line per number or group of numbers.
  public var notes: [String]

  public init(name: String, source: ModelCardSource, baseModel: String? = nil, params: Double,
              storageBytes: Double, flopsPerToken: Double? = nil, bytesPerToken: Double? = nil,
              kvBytesPerToken: Double, tasks: [String: TaskMetrics] = [:], notes: [String] = []) {
    self.name = name; self.source = source; self.baseModel = baseModel; self.params = params
    self.storageBytes = storageBytes
    self.bitsPerWeight = params > 0 ? storageBytes * 8 / params : 0
    self.flopsPerToken = flopsPerToken ?? 2 * params
    self.bytesPerToken = bytesPerToken ?? storageBytes
    self.kvBytesPerToken = kvBytesPerToken; self.tasks = tasks; self.notes = notes
  }

  /// Checks that every field is meaningful; throws a descriptive error otherwise.
  public func validate() throws {
    func bad(_ m: String) -> EdgeProfilesError { .invalidCard("'\(name)': \(m)") }
    if name.isEmpty { throw EdgeProfilesError.invalidCard("card with empty name") }
    for (f, v) in [("params", params), ("storageBytes", storageBytes), ("flopsPerToken", flopsPerToken),
                   ("bytesPerToken", bytesPerToken)] where !(v > 0 && v.isFinite) {
      throw bad("\(f) must be > 0 (got \(v))")
    }
    if !(kvBytesPerToken >= 0 && kvBytesPerToken.isFinite) { throw bad("kv_bytes_per_token must be >= 0") }
    for (k, t) in tasks {
      if !(0...1).contains(t.accuracy) { throw bad("tasks.\(k).accuracy must be in [0,1] (got \(t.accuracy))") }
      if !(0...1).contains(t.hallucination) {
        throw bad("tasks.\(k).hallucination must be in [0,1] (got \(t.hallucination))")
      }
    }
  }
}

extension ModelCard {
  /// JSON for one card or a list of cards: sorted keys, pretty-printed, trailing newline.
  public static func encodeJSON<T: Encodable>(_ value: T) throws -> Data {
    let enc = JSONEncoder()
    enc.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    var d = try enc.encode(value)
    d.append(0x0A)
    return d
  }

  /// Decodes a list of cards (or a single card) from JSON; every card is validated.
  public static func decodeCards(_ data: Data) throws -> [ModelCard] {
    let dec = JSONDecoder()
    let cards: [ModelCard]
    do {
      if let list = try? dec.decode([ModelCard].self, from: data) { cards = list }
      else { cards = [try dec.decode(ModelCard.self, from: data)] }
    } catch {
      throw EdgeProfilesError.decoding("model card JSON: \(error)")
    }
    for c in cards { try c.validate() }
    return cards
  }

  /// Reads cards from a JSON file.
  public static func load(path: String) throws -> [ModelCard] {
    guard let d = FileManager.default.contents(atPath: path) else {
      throw EdgeProfilesError.decoding("cannot read model card file '\(path)'")
    }
    return try decodeCards(d)
  }

  /// Writes cards to a JSON file atomically.
  public static func save(_ cards: [ModelCard], path: String) throws {
    try encodeJSON(cards).write(to: URL(fileURLWithPath: path), options: .atomic)
  }
}
