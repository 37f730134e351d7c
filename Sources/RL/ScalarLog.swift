// Per-iteration training scalars (CleanRL's logged set) and a tidy CSV writer for them.
import Foundation
import TensorCore

public struct TrainStats: Codable, Equatable, Sendable {
  public var iteration = 0
  public var globalStep = 0
  /// Mean undiscounted return / length of the episodes that finished during this iteration (NaN if none).
  public var episodicReturn = Double.nan
  public var episodicLength = Double.nan
  public var episodes = 0
  public var policyLoss = Double.nan
  public var valueLoss = Double.nan
  public var entropy = Double.nan
  public var approxKL = Double.nan
  public var clipFraction = Double.nan
  public var explainedVariance = Double.nan
  public var learningRate = Double.nan
  public var sps = Double.nan
  /// World-model scalars (NaN for plain PPO).
  public var wmLoss = Double.nan
  public var wmValidationError = Double.nan
  public var wmBaselineError = Double.nan
  public var wmRewardError = Double.nan
  public var wmRewardBaseline = Double.nan
  public var imaginationOn = 0
  public var imaginedSamples = 0
  /// Value-target diagnostics (WMDiagnostics.swift; NaN when no imagined targets were made): mean imagined
  /// target − GAE return, std of the GAE returns, bias/RMS of the imagined λ-return against the real
  /// trajectory's, mean real vs imagined scaled reward, and the blend weight actually used.
  public var mveGapToGAE = Double.nan
  public var returnStd = Double.nan
  public var mveBiasToReal = Double.nan
  public var mveRMSToReal = Double.nan
  public var realRewardMean = Double.nan
  public var imaginedRewardMean = Double.nan
  public var mveBetaUsed = Double.nan
  /// Explained variance of the imagined λ-returns and of the critic V(s_t) w.r.t. the real-trajectory
  /// λ-returns (WMDiagnostics.targetSkill), and the rollout ratio actually used.
  public var targetSkill = Double.nan
  public var criticSkill = Double.nan
  public var rolloutRatioUsed = Double.nan
  /// Mean return of the last `EpisodeRecord.window` (100) training episodes up to this iteration.
  public var returnWindow = Double.nan
  /// Imagined states the critic trained on (critic-in-imagination; 0 when off).
  public var criticImaginedSamples = 0
  public init() {}

  public static let csvHeader = ["iteration", "global_step", "episodic_return", "episodic_length", "episodes",
                                 "policy_loss", "value_loss", "entropy", "approx_kl", "clipfrac",
                                 "explained_variance", "learning_rate", "sps", "wm_loss", "wm_val_error",
                                 "wm_baseline_error", "wm_reward_error", "wm_reward_baseline", "imagination_on",
                                 "imagined_samples", "mve_gap_gae", "return_std", "mve_bias_real", "mve_rms_real",
                                 "real_reward_mean", "imagined_reward_mean", "mve_beta", "target_skill", "critic_skill",
                                 "rollout_ratio", "return_window", "critic_imagined_samples"]

  /// The row as numbers, in `csvHeader` order (NaN = not measured this iteration): what the CSV prints and
  /// what the Lua binding hands out at full precision.
  public var values: [Double] {
    [Double(iteration), Double(globalStep), episodicReturn, episodicLength, Double(episodes),
     policyLoss, valueLoss, entropy, approxKL, clipFraction, explainedVariance,
     learningRate, sps, wmLoss, wmValidationError, wmBaselineError, wmRewardError,
     wmRewardBaseline, Double(imaginationOn), Double(imaginedSamples), mveGapToGAE, returnStd,
     mveBiasToReal, mveRMSToReal, realRewardMean, imaginedRewardMean, mveBetaUsed,
     targetSkill, criticSkill, rolloutRatioUsed, returnWindow, Double(criticImaginedSamples)]
  }
  /// Columns that hold counts (printed as integers).
  static let integerColumns: Set<String> = ["iteration", "global_step", "episodes", "imagination_on", "imagined_samples",
                                                   "critic_imagined_samples"]

  public var csvRow: [String] {
    zip(TrainStats.csvHeader, values).map { k, x in
      x.isNaN ? "" : TrainStats.integerColumns.contains(k) ? (Int(exactly: x.rounded()).map(String.init) ?? String(format: "%.6g", x))
        : String(format: "%.6g", x)
    }
  }
}

/// Appends rows to a CSV file (header written when the file is created). SPS is wall-clock dependent, so a
/// CSV meant to be byte-identical across runs can leave it out with `deterministicOnly`.
public final class ScalarCSV {
  public let path: String
  let deterministicOnly: Bool
  public init(path: String, deterministicOnly: Bool = false) throws {
    self.path = path
    self.deterministicOnly = deterministicOnly
    let header = columns(TrainStats.csvHeader).joined(separator: ",") + "\n"
    guard FileManager.default.createFile(atPath: path, contents: Data(header.utf8)) else {
      throw RLError.checkpoint("cannot create CSV file \(path)")
    }
  }
  func columns(_ row: [String]) -> [String] { ScalarCSVShape(deterministicOnly: deterministicOnly).columns(row) }

  /// Writes the header and every row of `history` in one atomic replace (temporary file, then rename): the
  /// file is never renamed into place and reopened per row, and a crash leaves the previous file intact.
  public static func write(_ history: [TrainStats], to path: String, deterministicOnly: Bool = false) throws {
    let shape = ScalarCSVShape(deterministicOnly: deterministicOnly)
    var text = shape.columns(TrainStats.csvHeader).joined(separator: ",") + "\n"
    for s in history { text += shape.columns(s.csvRow).joined(separator: ",") + "\n" }
    do { try AtomicReplace.write(Data(text.utf8), to: path) } catch { throw RLError.checkpoint("cannot write CSV file \(path): \(error)") }
  }

  public func append(_ s: TrainStats) throws {
    guard let h = FileHandle(forWritingAtPath: path) else { throw RLError.checkpoint("cannot open \(path)") }
    defer { try? h.close() }
    try h.seekToEnd()
    try h.write(contentsOf: Data((columns(s.csvRow).joined(separator: ",") + "\n").utf8))
  }
}

struct ScalarCSVShape {
  let deterministicOnly: Bool
  func columns(_ row: [String]) -> [String] {
    deterministicOnly ? zip(TrainStats.csvHeader, row).filter { $0.0 != "sps" }.map(\.1) : row
  }
}
