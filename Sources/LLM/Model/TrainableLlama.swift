// The Llama model on TensorCore's autograd, for training (distillation, least-squares refits, fine-tuning).
// Parameters are TensorCore `Tensor`s named by dotted GGUF paths ("token_embd.weight",
// "blk.3.attn_q.weight", "blk.3.ffn_norm.weight", "output_norm.weight", "output.weight" when untied), so a
// ParameterStore / optimizer / freeze-by-prefix works directly. The forward is the same computation as
// LlamaModel.forward (RMSNorm, Qwen3 Q/K head norms, RoPE with the model's pairing and llama3 frequency factors,
// GQA causal attention, SwiGLU, tied output; Qwen2 biases are refused) but
// without a KV cache; logits come back as an autograd tensor [B·T, vocab].
//
//   let tm = try TrainableLlama(model)                       // F32 copies of the (dequantized) weights
//   let logits = try tm.forward(batch: [[Int32]])            // equal-length sequences
//   let loss = try klDivergence(student: logits, teacher: t, temperature: 2); loss.backward()
//   let m2 = try tm.toModel()                                // back to an inference LlamaModel (F32)
import TensorCore

public final class TrainableLlama: Module {
  public struct Layer {
    public let attnNorm: Tensor, ffnNorm: Tensor
    public let wq: Tensor?, wk: Tensor?, wv: Tensor?, wo: Tensor?
    public let gate: Tensor?, up: Tensor?, down: Tensor?
    /// Qwen3 per-head Q/K RMSNorm weights [headDim] ("blk.N.attn_q_norm.weight", "…attn_k_norm.weight").
    public var qNorm: Tensor? = nil, kNorm: Tensor? = nil
  }
  public let config: LlamaConfig
  public let tokenizer: Tokenizer
  public let embedding: Tensor
  public let layers: [Layer]
  public let outputNorm: Tensor
  public let output: Tensor?
  let sourceMetadata: [(String, GGUFValue)]

  public init(_ m: LlamaModel, requiresGrad: Bool = true) throws {
    guard m.config.ropeDim == m.config.headDim else {
      throw LlamaError.badConfig("trainable path needs rope dimension == head dimension (\(m.config.ropeDim) vs \(m.config.headDim))")
    }
    guard !m.config.family.hasQKVBias else {
      throw LlamaError.badConfig("trainable path does not support Q/K/V biases (family '\(m.config.family.rawValue)')")
    }
    config = m.config; tokenizer = m.tokenizer; sourceMetadata = m.sourceMetadata
    func t(_ w: WeightMatrix?) throws -> Tensor? {
      guard let w else { return nil }
      return Tensor(shape: [w.rows, w.cols], try w.floats(), requiresGrad: requiresGrad)
    }
    func v(_ a: [Float]) -> Tensor { Tensor(shape: [a.count], a, requiresGrad: requiresGrad) }
    embedding = try t(m.embedding)!
    layers = try m.layers.map { l in
      Layer(attnNorm: v(l.attnNorm), ffnNorm: v(l.ffnNorm), wq: try t(l.wq), wk: try t(l.wk), wv: try t(l.wv), wo: try t(l.wo),
            gate: try t(l.gate), up: try t(l.up), down: try t(l.down), qNorm: l.qNorm.map(v), kNorm: l.kNorm.map(v))
    }
    outputNorm = v(m.outputNorm)
    output = try t(m.output)
  }

  public func namedParameters() -> [(String, Tensor)] {
    var p: [(String, Tensor)] = [("token_embd.weight", embedding)]
    for (i, l) in layers.enumerated() {
      let b = "blk.\(i)."
      p.append((b + "attn_norm.weight", l.attnNorm))
      for (n, w) in [("attn_q", l.wq), ("attn_k", l.wk), ("attn_v", l.wv), ("attn_output", l.wo),
                     ("attn_q_norm", l.qNorm), ("attn_k_norm", l.kNorm)] { if let w { p.append((b + n + ".weight", w)) } }
      p.append((b + "ffn_norm.weight", l.ffnNorm))
      for (n, w) in [("ffn_gate", l.gate), ("ffn_up", l.up), ("ffn_down", l.down)] { if let w { p.append((b + n + ".weight", w)) } }
    }
    p.append(("output_norm.weight", outputNorm))
    if let o = output { p.append(("output.weight", o)) }
    return p
  }

  /// Logits [B·T, vocab] for `batch` sequences of equal length T (row b·T + t = sequence b, position t).
  public func forward(batch: [[Int32]]) throws -> Tensor {
    guard let T = batch.first?.count, T > 0, batch.allSatisfy({ $0.count == T }) else {
      throw LlamaError.badConfig("trainable forward needs a non-empty batch of equal-length sequences")
    }
    let c = config, B = batch.count
    let ids = batch.flatMap { $0.map { Int($0) } }
    for t in ids where t < 0 || t >= c.vocabSize { throw LlamaError.tokenOutOfRange(Int32(truncatingIfNeeded: t), vocab: c.vocabSize) }
    let pos = ropePositions(batch: B, seqLen: T)
    let style: RopeStyle = c.ropePairing == .adjacent ? .adjacentPairs : .halfSplit
    let theta = Float(c.ropeTheta)
    var x = try TensorCore.embedding(embedding, ids: ids)
    for (i, l) in layers.enumerated() {
      if c.heads[i] > 0, let wq = l.wq, let wk = l.wk, let wv = l.wv, let wo = l.wo {
        let h = try rmsNorm(x, weight: l.attnNorm, eps: c.rmsEps)
        // Qwen3: RMSNorm over each head (rows × heads of width headDim) before RoPE.
        func headNorm(_ x: Tensor, _ w: Tensor?) throws -> Tensor {
          guard let w else { return x }
          return try rmsNorm(x.reshaped([-1, c.headDim]), weight: w, eps: c.rmsEps).reshaped(x.shape)
        }
        let factors = c.ropeFrequencyFactors
        let q = try rope(headNorm(linear(h, wq), l.qNorm), heads: c.heads[i], positions: pos, theta: theta, style: style,
                         frequencyFactors: factors)
        let k = try rope(headNorm(linear(h, wk), l.kNorm), heads: c.kvHeads[i], positions: pos, theta: theta, style: style,
                         frequencyFactors: factors)
        let a = try causalAttention(q: q, k: k, v: linear(h, wv), batch: B, heads: c.heads[i], kvHeads: c.kvHeads[i])
        x = try x + linear(a, wo)
      }
      if c.ffn[i] > 0, let g = l.gate, let u = l.up, let d = l.down {
        let h = try rmsNorm(x, weight: l.ffnNorm, eps: c.rmsEps)
        x = try x + linear(linear(h, g).silu() * linear(h, u), d)
      }
    }
    return try linear(rmsNorm(x, weight: outputNorm, eps: c.rmsEps), output ?? embedding)
  }

  public func forward(tokens: [Int32]) throws -> Tensor { try forward(batch: [tokens]) }

  /// An inference model with the current parameter values (F32 weights).
  public func toModel() throws -> LlamaModel {
    func w(_ t: Tensor?) -> WeightMatrix? { t.map { WeightMatrix(rows: $0.shape[0], cols: $0.shape[1], values: $0.toArray()) } }
    let ls = layers.map { l in
      LlamaLayer(attnNorm: l.attnNorm.toArray(), wq: w(l.wq), wk: w(l.wk), wv: w(l.wv), wo: w(l.wo),
                 ffnNorm: l.ffnNorm.toArray(), gate: w(l.gate), up: w(l.up), down: w(l.down),
                 qNorm: l.qNorm?.toArray(), kNorm: l.kNorm?.toArray())
    }
    let m = try LlamaModel(config: config, tokenizer: tokenizer, embedding: w(embedding)!, layers: ls,
                           outputNorm: outputNorm.toArray(), output: w(output))
    m.sourceMetadata = sourceMetadata
    return m
  }
}
