// Embedding, RMSNorm and LayerNorm layers, and a GRU cell (PyTorch equations and parameter names).

public final class Embedding: Module {
  public let weight: Tensor
  public init(_ count: Int, _ dim: Int, rng: inout RNG, init initializer: Init = .normal(std: 1)) {
    weight = initializer.tensor([count, dim], rng: &rng)
  }
  public init(weight: Tensor) { self.weight = weight }
  public func callAsFunction(_ ids: [Int]) throws -> Tensor { try embedding(weight, ids: ids) }
  public func namedParameters() -> [(String, Tensor)] { [("weight", weight)] }
}

public final class RMSNormLayer: Module {
  public let weight: Tensor
  public let eps: Float
  public init(_ dim: Int, eps: Float = 1e-5) {
    weight = Tensor.ones([dim], requiresGrad: true)
    self.eps = eps
  }
  public func callAsFunction(_ x: Tensor) throws -> Tensor { try rmsNorm(x, weight: weight, eps: eps) }
  public func namedParameters() -> [(String, Tensor)] { [("weight", weight)] }
}

public final class LayerNormLayer: Module {
  public let weight: Tensor, bias: Tensor
  public let eps: Float
  public init(_ dim: Int, eps: Float = 1e-5) {
    weight = Tensor.ones([dim], requiresGrad: true)
    bias = Tensor.zeros([dim], requiresGrad: true)
    self.eps = eps
  }
  public func callAsFunction(_ x: Tensor) throws -> Tensor { try layerNorm(x, weight: weight, bias: bias, eps: eps) }
  public func namedParameters() -> [(String, Tensor)] { [("weight", weight), ("bias", bias)] }
}

/// GRU cell as torch.nn.GRUCell: gates r, z, n stacked in that order in weight_ih [3H, in], weight_hh [3H, H].
///   r = σ(W_ir x + b_ir + W_hr h + b_hr),  z = σ(W_iz x + b_iz + W_hz h + b_hz)
///   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),  h' = (1 − z) ⊙ n + z ⊙ h
public final class GRUCell: Module {
  public let weightIH: Tensor, weightHH: Tensor, biasIH: Tensor, biasHH: Tensor
  public let inputSize: Int, hiddenSize: Int
  /// Default init as PyTorch: U(±1/sqrt(H)) for all; pass `.orthogonal()` for recurrent weights if wanted.
  public init(_ inputSize: Int, _ hiddenSize: Int, rng: inout RNG, inputInit: Init? = nil, recurrentInit: Init? = nil) {
    self.inputSize = inputSize
    self.hiddenSize = hiddenSize
    let k = Init.uniform(bound: 1 / Float(hiddenSize).squareRoot())
    weightIH = (inputInit ?? k).tensor([3 * hiddenSize, inputSize], rng: &rng)
    weightHH = Tensor(zeros: [3 * hiddenSize, hiddenSize], requiresGrad: true)
    if let r = recurrentInit {
      // Initialise each gate's [H, H] block separately (orthogonal per gate, as is customary).
      for gate in 0..<3 {
        let blk = r.tensor([hiddenSize, hiddenSize], rng: &rng)
        (weightHH.data + gate * hiddenSize * hiddenSize).update(from: blk.data, count: blk.count)
      }
    } else {
      k.fill(weightHH, rng: &rng)
    }
    biasIH = k.tensor([3 * hiddenSize], rng: &rng)
    biasHH = k.tensor([3 * hiddenSize], rng: &rng)
  }

  /// x: [B, in], h: [B, H] → h': [B, H].
  public func callAsFunction(_ x: Tensor, _ h: Tensor) throws -> Tensor {
    guard h.lastDim == hiddenSize, h.rowCount == x.rowCount else {
      throw TensorError.shapeMismatch(op: "GRUCell", lhs: x.shape, rhs: h.shape, detail: "hidden must be [B, \(hiddenSize)]")
    }
    return try GRUFunctional.step(x, h, weightIH, weightHH, biasIH, biasHH)
  }

  public func namedParameters() -> [(String, Tensor)] {
    [("weight_ih", weightIH), ("weight_hh", weightHH), ("bias_ih", biasIH), ("bias_hh", biasHH)]
  }
}

/// The GRU cell maths as a free function of explicit tensors (used by GRUCell and by tests).
public enum GRUFunctional {
  public static func step(_ x: Tensor, _ h: Tensor, _ wih: Tensor, _ whh: Tensor, _ bih: Tensor?, _ bhh: Tensor?) throws -> Tensor {
    let hs = h.lastDim
    let gi = try linear(x, wih, bias: bih).split(lastAxis: [hs, hs, hs])
    let gh = try linear(h, whh, bias: bhh).split(lastAxis: [hs, hs, hs])
    let r = try (gi[0] + gh[0]).sigmoid()
    let z = try (gi[1] + gh[1]).sigmoid()
    let n = try (gi[2] + r * gh[2]).tanh()
    return try n + z * (h - n)
  }
}
