// Options and plans of structured pruning.
//
// Criteria (per FFN channel j of layer l; per query head h; a KV group scores the sum of its query heads):
//   activation (Minitron): FFN  rms_j of silu(gate)·up;   head  √(Σ_{c∈h} mean x_c²) of the head output
//   flap (FLAP fluctuation): FFN Var(a_j)·‖W_down[:,j]‖²; head Σ_{c∈h} Var(x_c)·‖W_o[:,c]‖²
//   magnitude (data-free baseline): FFN ‖W_gate[j,:]‖² + ‖W_up[j,:]‖² + ‖W_down[:,j]‖²;
//                                    head ‖W_q[h rows]‖² + ‖W_o[:, h cols]‖²
// FLAP's bias compensation (add W[:,removed]·mean(X_removed) as an output bias) is NOT applicable as such:
// Llama's linear maps have no bias and the next op (residual → RMSNorm) is not linear, so a constant cannot
// be folded into another weight exactly. EdgeLab's compensation is the least-squares refit (Distill/Refit),
// which is FLAP's compensation generalised: it re-fits the kept columns of attn_output / ffn_down so the
// layer output matches the unpruned one on calibration activations (the removed channels' mean included).
// Depth: Block Influence BI_l = 1 − E[cos(h_in, h_out)]; the lowest-BI layers are removed.
import LLM

public enum PruneCriterion: String, Codable, Sendable, CaseIterable { case activation, flap, magnitude }

public enum HeadPruneMode: String, Codable, Sendable, CaseIterable {
  /// Remove whole KV groups together with their query heads (K/V shrink too).
  case kvGroups
  /// Remove the same number of query heads inside every KV group (K/V unchanged, heads % kvHeads == 0).
  case withinGroups
}

public struct PruneOptions: Codable, Sendable, Equatable {
  /// Fraction of FFN channels removed per layer (0 … <1). Kept widths are rounded to `multiple`.
  public var ffnRatio: Double = 0
  /// Fraction of attention heads removed per layer (rounded to whole KV groups or per-group counts).
  public var headRatio: Double = 0
  public var headMode: HeadPruneMode = .withinGroups
  /// Whole layers removed by Block Influence.
  public var dropLayers: Int = 0
  public var criterion: PruneCriterion = .activation
  /// Kept FFN widths are multiples of this (32 = ggml block; 256 for k-quants).
  public var multiple: Int = 32

  public init(ffnRatio: Double = 0, headRatio: Double = 0, headMode: HeadPruneMode = .withinGroups, dropLayers: Int = 0,
              criterion: PruneCriterion = .activation, multiple: Int = 32) {
    self.ffnRatio = ffnRatio; self.headRatio = headRatio; self.headMode = headMode; self.dropLayers = dropLayers
    self.criterion = criterion; self.multiple = multiple
  }

  public func validate(layers: Int) throws {
    guard (0..<1).contains(ffnRatio) else { throw CompressionError.invalidOption("ffn_ratio must be in [0, 1) (got \(ffnRatio))") }
    guard (0..<1).contains(headRatio) else { throw CompressionError.invalidOption("head_ratio must be in [0, 1) (got \(headRatio))") }
    guard dropLayers >= 0, dropLayers < layers else { throw CompressionError.invalidOption("drop_layers must be in [0, \(layers - 1)] (got \(dropLayers))") }
    guard multiple >= 1 else { throw CompressionError.invalidOption("multiple must be ≥ 1 (got \(multiple))") }
  }
}

/// What to keep, in original indices (sorted ascending). Layer indices refer to the source model.
public struct PrunePlan: Codable, Sendable, Equatable {
  /// Kept source layers, ascending.
  public var keepLayers: [Int]
  /// Per source layer: kept query heads (grouped: group g's heads come before group g+1's).
  public var keepHeads: [[Int]]
  /// Per source layer: kept KV heads.
  public var keepKV: [[Int]]
  /// Per source layer: kept FFN channels.
  public var keepFFN: [[Int]]
}
