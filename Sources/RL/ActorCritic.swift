// Separate actor and critic MLPs (CleanRL's layout): tanh hidden layers with orthogonal init (gain √2),
// a policy head with gain 0.01 (near-uniform initial policy) and a value head with gain 1, zero biases.
// Training goes through TensorCore's autograd; acting uses the same forward ops under `noGrad`.
import TensorCore

public final class ActorCritic {
  public let actor: MLP
  public let critic: MLP
  public let obsDim: Int
  public let dist: MultiCategorical

  public init(obsDim: Int, nvec: [Int], hidden: [Int], rng: inout RNG) throws {
    self.obsDim = obsDim
    dist = try MultiCategorical(nvec: nvec)
    var ra = rng.split("actor"), rc = rng.split("critic")
    actor = MLP([obsDim] + hidden + [dist.width], activation: .tanh, rng: &ra,
                hiddenInit: .orthogonal(gain: Float(2).squareRoot()), outputInit: .orthogonal(gain: 0.01))
    critic = MLP([obsDim] + hidden + [1], activation: .tanh, rng: &rc,
                 hiddenInit: .orthogonal(gain: Float(2).squareRoot()), outputInit: .orthogonal(gain: 1))
  }

  public func namedParameters() -> [(String, Tensor)] {
    prefixed("actor", actor.namedParameters()) + prefixed("critic", critic.namedParameters())
  }
  public var parameters: [Tensor] { namedParameters().map { $0.1 } }

  /// Forward with autograd: logits [B×width] and values [B×1].
  public func forward(_ obs: [Float], batch: Int) throws -> (logits: Tensor, values: Tensor) {
    let x = Tensor(shape: [batch, obsDim], obs)
    return (try actor(x), try critic(x))
  }

  /// Inference (no graph): logits and values as arrays.
  public func infer(_ obs: [Float], batch: Int) throws -> (logits: [Float], values: [Float]) {
    try noGrad {
      let x = Tensor(shape: [batch, obsDim], obs)
      return (try actor(x).toArray(), try critic(x).toArray())
    }
  }

  public func values(_ obs: [Float], batch: Int) throws -> [Float] {
    try noGrad { try critic(Tensor(shape: [batch, obsDim], obs)).toArray() }
  }

  /// The actor alone (no graph): logits [B×width] — for callers that evaluate the critic separately.
  public func logits(_ obs: [Float], batch: Int) throws -> [Float] {
    try noGrad { try actor(Tensor(shape: [batch, obsDim], obs)).toArray() }
  }

  /// Samples (rng non-nil) or picks the mode for each row; returns actions [B×heads], log-probs [B].
  /// One pair of row buffers for the whole batch (no allocation per row).
  public func act(logits: [Float], masks: [Bool]?, batch: Int, rng: inout RNG?) throws -> (actions: [Int], logProbs: [Float]) {
    let w = dist.width, heads = dist.nvec.count
    var actions: [Int] = []
    actions.reserveCapacity(batch * heads)
    var lps = [Float](repeating: 0, count: batch)
    var logp = [Float](repeating: 0, count: w), p = [Float](repeating: 0, count: w)
    try logits.withUnsafeBufferPointer { z in
      try logp.withUnsafeMutableBufferPointer { lp in
        try p.withUnsafeMutableBufferPointer { pp in
          for i in 0..<batch {
            if let m = masks {
              try m.withUnsafeBufferPointer { mb in
                try dist.logSoftmax(row: z.baseAddress! + i * w, mask: mb.baseAddress! + i * w, logp: lp.baseAddress!,
                                    p: pp.baseAddress!)
              }
            } else {
              try dist.logSoftmax(row: z.baseAddress! + i * w, mask: nil, logp: lp.baseAddress!, p: pp.baseAddress!)
            }
            if rng != nil { dist.sample(p: pp.baseAddress!, rng: &rng!, into: &actions) } else { dist.mode(p: pp.baseAddress!, into: &actions) }
            lps[i] = dist.logProb(logp: lp.baseAddress!, action: actions[(i * heads)..<((i + 1) * heads)])
          }
        }
      }
    }
    return (actions, lps)
  }
}
