// Basic layers: Linear (optional bias), MLP. Weight layout follows PyTorch ([out, in]).

public final class Linear: Module {
  public let weight: Tensor
  public let bias: Tensor?
  public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, rng: inout RNG,
              weightInit: Init = .torchLinearDefault, biasInit: Init? = nil) {
    weight = weightInit.tensor([outFeatures, inFeatures], rng: &rng)
    if bias {
      let b = Tensor(zeros: [outFeatures], requiresGrad: true)
      // PyTorch's default bias is U(±1/sqrt(fan_in)); with an explicit weight init we default to zeros.
      let bi = biasInit ?? (weightInit == .torchLinearDefault ? .uniform(bound: 1 / Float(inFeatures).squareRoot()) : .zeros)
      bi.fill(b, rng: &rng)
      self.bias = b
    } else {
      self.bias = nil
    }
  }
  public var inFeatures: Int { weight.shape[1] }
  public var outFeatures: Int { weight.shape[0] }
  public func callAsFunction(_ x: Tensor) throws -> Tensor { try linear(x, weight, bias: bias) }
  public func namedParameters() -> [(String, Tensor)] {
    var p = [("weight", weight)]
    if let b = bias { p.append(("bias", b)) }
    return p
  }
}

public enum Activation: String, Sendable, Codable {
  case tanh, relu, silu, gelu, sigmoid, identity
  public func apply(_ x: Tensor) -> Tensor {
    switch self {
    case .tanh: return x.tanh()
    case .relu: return x.relu()
    case .silu: return x.silu()
    case .gelu: return x.gelu()
    case .sigmoid: return x.sigmoid()
    case .identity: return x
    }
  }
}

/// Multi-layer perceptron: sizes [in, h1, ..., out]; activation between layers, none after the last.
/// Parameters are named "layers.<i>.weight" / "layers.<i>.bias".
public final class MLP: Module {
  public let layers: [Linear]
  public let activation: Activation
  /// - hiddenInit / outputInit: e.g. `.orthogonal(gain: √2)` and `.orthogonal(gain: 0.01)` for PPO heads.
  public init(_ sizes: [Int], activation: Activation = .tanh, rng: inout RNG,
              hiddenInit: Init = .torchLinearDefault, outputInit: Init? = nil, bias: Bool = true) {
    precondition(sizes.count >= 2, "MLP needs at least [in, out]")
    var ls: [Linear] = []
    for i in 0..<(sizes.count - 1) {
      let last = i == sizes.count - 2
      ls.append(Linear(sizes[i], sizes[i + 1], bias: bias, rng: &rng,
                       weightInit: last ? (outputInit ?? hiddenInit) : hiddenInit))
    }
    layers = ls
    self.activation = activation
  }
  public func callAsFunction(_ x: Tensor) throws -> Tensor {
    var h = x
    for (i, l) in layers.enumerated() {
      h = try l(h)
      if i < layers.count - 1 { h = activation.apply(h) }
    }
    return h
  }
  public func namedParameters() -> [(String, Tensor)] {
    layers.enumerated().flatMap { prefixed("layers.\($0.offset)", $0.element.namedParameters()) }
  }
}
