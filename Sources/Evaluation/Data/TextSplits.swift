// Calibration and held-out text splits that never overlap.
// A document goes to a split by a salted FNV-1a hash of its text (not by position), after exact duplicates
// are removed: the same text can never land in both splits, and adding documents never moves others.
import TensorCore

public struct TextSplits: Sendable, Equatable {
  /// Texts for calibration (pruning importance, GPTQ Hessians, distillation).
  public var calibration: [String]
  /// Texts for perplexity / KL divergence (never seen by compression).
  public var heldOut: [String]

  /// Splits `documents` (duplicates dropped, first occurrence kept): a document is calibration text when
  /// hash(salt + text) mod 10_000 < calibrationFraction · 10_000.
  public init(documents: [String], calibrationFraction: Double = 0.5, salt: String = "edgelab-split-v1") throws {
    guard calibrationFraction > 0 && calibrationFraction < 1 else {
      throw EvaluationError.invalidArgument("calibration_fraction must be in (0, 1) (got \(calibrationFraction))")
    }
    var seen = Set<String>()
    var cal: [String] = [], held: [String] = []
    let cut = UInt64(calibrationFraction * 10_000)
    for d in documents where !d.isEmpty && seen.insert(d).inserted {
      if fnv1a64(salt + "\u{1F}" + d) % 10_000 < cut { cal.append(d) } else { held.append(d) }
    }
    calibration = cal; heldOut = held
  }

  /// The splits of the HaluEval summarization documents.
  public static func haluEval(files: DataFiles = DataFiles(), calibrationFraction: Double = 0.5) throws -> TextSplits {
    try TextSplits(documents: HaluEval.documents(files: files), calibrationFraction: calibrationFraction)
  }
}
