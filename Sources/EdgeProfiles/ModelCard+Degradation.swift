// How the quality of a compressed paper-scale card is derived from its base model's published scores.
//
//   assumed   accuracy_f = s − drop_f, hallucination_f = h + drop_f          (drop_f stated per format, an assumption)
//   measured  accuracy_f = s · ρ_acc(f), hallucination_f = h · ρ_hal(f), both clamped to [0, 1]
//
// where s is a published base score, h = 1 − TruthfulQA, and ρ(f) = mean(variant) / mean(reference) is the relative
// change measured on the small model EdgeLab can run (SmolLM2-135M-Instruct) for the recipe that stands for format
// f, on paired items (the same items scored by the compressed variant and by its reference) with a paired percentile
// bootstrap interval (Stats.pairedRatioBootstrapCI). The table comes from `experiments/paper/measure_degradation.lua`
// (decision 0713): it is written by a run, never by hand.
//
// Transfer assumption (stated on every derived card): a relative change measured at 135M parameters carries over to
// 8–12B models. Small models lose more to the same bits per weight (llama.cpp's KL divergences shrink with model
// size), so the measured rule is a pessimistic transfer; its intervals travel with the cards' notes.
import Foundation

/// mean(variant) / mean(reference) on paired items, with its 95% interval.
public struct RelativeChange: Codable, Sendable, Equatable {
  public var ratio: Double
  public var low: Double
  public var high: Double
  /// Paired items behind the ratio.
  public var items: Int
  public init(ratio: Double, low: Double, high: Double, items: Int) {
    self.ratio = ratio; self.low = low; self.high = high; self.items = items
  }
}

/// Relative changes measured per paper format on a small model, and where they come from.
public struct MeasuredDegradation: Codable, Sendable, Equatable {
  public struct Entry: Codable, Sendable, Equatable {
    /// Paper-scale format the measurement stands for: one of `MeasuredDegradation.formats`.
    public var format: String
    /// The measured variant (its recipe and the ggml types written).
    public var variant: String
    /// Bits per weight of the measured variant, counted from the bytes written.
    public var bitsPerWeight: Double
    /// Accuracy ratio on the pooled multiple-choice items.
    public var accuracy: RelativeChange
    /// Hallucination-rate ratio on the pooled hallucination items.
    public var hallucination: RelativeChange
    public init(format: String, variant: String, bitsPerWeight: Double, accuracy: RelativeChange, hallucination: RelativeChange) {
      self.format = format; self.variant = variant; self.bitsPerWeight = bitsPerWeight
      self.accuracy = accuracy; self.hallucination = hallucination
    }
  }

  /// Formats a measured table may cover: the paper-scale storage formats and the paper's ECLD point.
  public static let formats = ["q8_0", "q4_k_m", "q2_k", "ecld"]

  /// The measured model (e.g. "SmolLM2-135M-Instruct").
  public var model: String
  /// How the table was produced (script, options, seed, wall time, load).
  public var source: String
  public var notes: [String]?
  public var entries: [Entry]

  public init(model: String, source: String, notes: [String]? = nil, entries: [Entry]) {
    self.model = model; self.source = source; self.notes = notes; self.entries = entries
  }

  public func entry(_ format: String) -> Entry? { entries.first { $0.format == format } }

  /// Every entry names a known format once, and every ratio is a finite, non-negative number.
  public func validate() throws {
    var seen = Set<String>()
    for e in entries {
      guard Self.formats.contains(e.format) else {
        throw EdgeProfilesError.invalidDegradation("degradation entry format '\(e.format)' (known: \(Self.formats.joined(separator: ", ")))")
      }
      guard seen.insert(e.format).inserted else { throw EdgeProfilesError.invalidDegradation("degradation format '\(e.format)' appears twice") }
      for (what, r) in [("accuracy", e.accuracy), ("hallucination", e.hallucination)] {
        guard r.ratio.isFinite, r.ratio >= 0 else {
          throw EdgeProfilesError.invalidDegradation("degradation '\(e.format)' \(what) ratio must be a finite number ≥ 0, got \(r.ratio)")
        }
      }
    }
  }

  public static func decode(_ data: Data) throws -> MeasuredDegradation {
    let table: MeasuredDegradation
    do { table = try JSONDecoder().decode(MeasuredDegradation.self, from: data) } catch {
      throw EdgeProfilesError.invalidDegradation("degradation table: \(error)")
    }
    try table.validate()
    return table
  }

  public static func load(path: String) throws -> MeasuredDegradation {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw EdgeProfilesError.invalidDegradation("degradation table '\(path)': cannot read the file")
    }
    return try decode(data)
  }

  /// Writes the table as JSON (sorted keys, like model cards) atomically.
  public func save(path: String) throws {
    try validate()
    try ModelCard.encodeJSON(self).write(to: URL(fileURLWithPath: path), options: .atomic)
  }
}

/// Which rule derives the compressed paper-scale cards' quality.
public enum DegradationRule: Sendable, Equatable {
  /// Assumed drops per format (stated in ModelCard+PaperScale.swift).
  case assumed
  /// Relative changes measured on a small model.
  case measured(MeasuredDegradation)

  /// The rule the paper-scale cards use unless told otherwise (MEC scenarios, `eval.paper_cards()`).
  public static let defaultName = "assumed"

  /// The default rule (`defaultName`).
  public static func paperDefault() throws -> DegradationRule { try named(defaultName) }

  /// "assumed", "measured" (the table EdgeLab ships, from the run recorded in it) or the path of a table JSON.
  public static func named(_ name: String) throws -> DegradationRule {
    switch name {
    case "assumed": return .assumed
    case "measured": return .measured(try MeasuredDegradation.shipped())
    default:
      guard name.hasSuffix(".json") else {
        throw EdgeProfilesError.invalidDegradation("degradation '\(name)' (assumed, measured, or the path of a .json table)")
      }
      return .measured(try MeasuredDegradation.load(path: name))
    }
  }

  /// Quality of format `format` from base scores: accuracy `score`, hallucination `hallucination`, the assumed
  /// `drop` (used by `.assumed`). Returns the two numbers and a note saying how they were derived.
  func apply(score: Double, hallucination: Double, format: String, drop: Double)
    throws -> (accuracy: Double, hallucination: Double, note: String) {
    switch self {
    case .assumed:
      return (score - drop, min(1, hallucination + drop), "assumed drop \(fmt(100 * drop, 1)) pt")
    case .measured(let table):
      guard let e = table.entry(format) else {
        throw EdgeProfilesError.invalidDegradation("the measured degradation table has no '\(format)' entry (has: \(table.entries.map(\.format).joined(separator: ", ")))")
      }
      let a = e.accuracy, h = e.hallucination
      let note = "measured on \(table.model) (\(e.variant), \(fmt(e.bitsPerWeight, 2)) bpw): accuracy × \(fmt(a.ratio, 3)) "
        + "[\(fmt(a.low, 3)), \(fmt(a.high, 3))] over \(a.items) items, hallucination × \(fmt(h.ratio, 3)) "
        + "[\(fmt(h.low, 3)), \(fmt(h.high, 3))] over \(h.items) items; transfer to this scale assumed"
      return (min(1, max(0, score * a.ratio)), min(1, max(0, hallucination * h.ratio)), note)
    }
  }
}

private func fmt(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }
