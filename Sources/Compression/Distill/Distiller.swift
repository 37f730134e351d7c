// Logit knowledge distillation: teacher = the base LlamaModel, student = a (pruned) model trained as a
// TrainableLlama with AdamW, global grad-norm clipping, warm-up + cosine LR, checkpoints and resume.
//
// Loss per batch (rows = every position of every window in the batch):
//   L = α · T² · mean_rows KL_{k+1}(p_T ‖ q_T) + (1 − α) · CE(q_1, next token)
// where p_T = softmax(z_teacher/T), q_T = softmax(z_student/T) and KL_{k+1} is the KL between their coarsenings
// to k + 1 categories: the teacher's top-k tokens and one bucket for the rest (TeacherCache keeps the top-k
// log-probabilities and the tail mass P; the student's tail is Q = 1 − Σ_{j∈topk} q_j):
//   KL_{k+1} = Σ_{j∈topk} p_j (log p_j − log q_j) + P (log P − log Q)      (TensorCore.sparseKLDivergence)
// It is 0 for a student equal to the teacher and, with k = vocab, the full forward KL of TensorCore.klDivergence
// (tests check both). T² keeps the gradient scale independent of T (Hinton et al. 2015). CE uses positions 0..<T−1.
// The earlier form, KL(renormalised top-k ‖ full student softmax), is not 0 for an exact copy and drove students
// sharper than the teacher (docs/decisions/0712-kd-loss-top-k-plus-tail.md).
import Foundation
import LLM
import TensorCore

/// Where the distillation windows come from: the calibration split of the text (default) or sequences sampled
/// from the teacher (`TeacherCorpus`, disjoint from every evaluation text).
public enum DistillSource: String, Codable, Sendable, CaseIterable { case calibration, teacher }

public struct DistillOptions: Codable, Sendable, Equatable {
  public var source: DistillSource = .calibration
  /// Sampler and cache of the teacher corpus (`source == .teacher`; its window count, length and seed are set
  /// by the caller from the distillation windows).
  public var corpus = TeacherCorpusOptions()
  public var steps: Int = 100
  public var batchSize: Int = 2
  public var learningRate: Float = 1e-4
  public var minLearningRate: Float = 1e-5
  public var warmupSteps: Int = 5
  public var weightDecay: Float = 0.0
  public var temperature: Float = 2
  /// Weight of the KD term; 1 − alpha goes to CE on the next token.
  public var alpha: Float = 1
  public var topK: Int = 64
  public var clipNorm: Float = 1
  /// Train the token embedding (tied output head) too; pruning leaves it untouched, so off by default.
  public var trainEmbedding: Bool = false
  public var seed: UInt64 = 0
  /// Steps between checkpoints (and one at the last step); 0 = none.
  public var checkpointEvery: Int = 0
  public var checkpointPath: String? = nil
  public init() {}

  public func validate() throws {
    func bad(_ m: String) -> CompressionError { .invalidOption(m) }
    guard steps >= 0 else { throw bad("steps must be ≥ 0") }
    try Limits.size(steps, max: 100_000_000, name: "steps")
    try Limits.size(batchSize, max: 65_536, name: "batch_size", min: 1)
    try Limits.size(topK, max: 1 << 24, name: "top_k", min: 1)
    try Limits.size(warmupSteps, max: 100_000_000, name: "warmup")
    try Limits.positive(Double(learningRate), name: "lr")
    try Limits.real(Double(minLearningRate), name: "min_lr", min: 0)
    try Limits.positive(Double(temperature), name: "temperature")
    try Limits.probability(Double(alpha), name: "alpha")
    try Limits.positive(Double(clipNorm), name: "clip")
    try Limits.real(Double(weightDecay), name: "weight_decay", min: 0)
    guard batchSize >= 1 else { throw bad("batch_size must be ≥ 1") }
    guard learningRate > 0, minLearningRate >= 0 else { throw bad("learning rates must be positive") }
    guard temperature > 0 else { throw bad("temperature must be > 0") }
    guard (0...1).contains(alpha) else { throw bad("alpha must be in [0, 1] (got \(alpha))") }
    guard topK >= 1 else { throw bad("top_k must be ≥ 1") }
    guard clipNorm > 0 else { throw bad("clip_norm must be > 0") }
    guard checkpointEvery >= 0 else { throw bad("checkpoint_every must be ≥ 0") }
    if checkpointEvery > 0 && checkpointPath == nil { throw bad("checkpoint_every needs checkpoint_path") }
  }
}

public struct DistillStep: Sendable, Codable, Equatable {
  public var step: Int
  public var loss: Double
  public var kd: Double
  public var ce: Double
  public var gradNorm: Double
  public var learningRate: Double
  public var tokensPerSecond: Double
}

public enum Distill {
  /// The KD loss's form, recorded in checkpoints: a checkpoint trained under the earlier renormalised-top-k loss
  /// (whose identity lacks this tag) is refused instead of being resumed under another objective.
  public static let lossForm = "kl-topk-plus-rest"

  /// KD + CE loss of `logits` [rows × V] (rows = B·T) for `tokens` (B windows of T) against cached top-k.
  public static func loss(logits: Tensor, batch: [[Int32]], ids: [[Int32]], logprobs: [[Float]], tailLogMass: [[Float]],
                          k: Int, temperature T: Float, alpha: Float) throws -> (total: Tensor, kd: Double, ce: Double) {
    let V = logits.lastDim, rows = logits.rowCount
    let Tn = batch.first?.count ?? 0
    guard rows == batch.count * Tn, ids.count == batch.count, tailLogMass.count == batch.count else { throw CompressionError.shape("distill loss: \(rows) rows for \(batch.count)×\(Tn)") }
    var parts: [Tensor] = []
    var kdv = 0.0, cev = 0.0
    if alpha > 0 {
      // fused sparse-target KL over {top-k, rest} (TensorCore.sparseKLDivergence): no dense [rows × V] target
      let kd = try sparseKLDivergence(logits, ids: ids.flatMap { $0 }, logprobs: logprobs.flatMap { $0 },
                                      tailLogMass: tailLogMass.flatMap { $0 }, k: k, temperature: T)
      kdv = Double(kd.item)
      parts.append(kd * alpha)
    }
    if alpha < 1 {
      var targets = [Int](); targets.reserveCapacity(rows)
      for w in batch { for t in 0..<Tn { targets.append(t + 1 < Tn ? Int(w[t + 1]) : -1) } }
      let ce = try crossEntropy(logits, targets: targets, ignoreIndex: -1)
      cev = Double(ce.item)
      parts.append(ce * (1 - alpha))
    }
    let total = parts.count == 1 ? parts[0] : try parts[0] + parts[1]
    return (total, kdv, cev)
  }
}
