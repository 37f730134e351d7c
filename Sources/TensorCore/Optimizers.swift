// Optimizers over a list of parameter tensors (parameters whose `grad` is nil are skipped for that step):
// SGD with momentum (PyTorch semantics: buf = μ·buf + g; p -= lr·buf, Nesterov optional), Adam and AdamW
// (PyTorch semantics: bias-corrected moments; denominator √v̂ + eps; L2 decay adds wd·p to g, decoupled
// decay multiplies p by 1 − lr·wd). Global gradient-norm clipping as torch.nn.utils.clip_grad_norm_.

public protocol Optimizer: AnyObject {
  var learningRate: Float { get set }
  func step()
  func zeroGrad()
}

public final class SGD: Optimizer {
  public let params: [Tensor]
  public var learningRate: Float
  public var momentum: Float, weightDecay: Float, nesterov: Bool
  var buffers: [Tensor?]
  public init(_ params: [Tensor], lr: Float, momentum: Float = 0, weightDecay: Float = 0, nesterov: Bool = false) {
    self.params = params
    learningRate = lr
    self.momentum = momentum
    self.weightDecay = weightDecay
    self.nesterov = nesterov
    buffers = Array(repeating: nil, count: params.count)
  }
  public func zeroGrad() { for p in params { p.zeroGrad() } }
  public func step() {
    let lr = learningRate, mu = momentum, wd = weightDecay
    for (k, p) in params.enumerated() {
      guard let g = p.grad else { continue }
      let n = p.count, x = p.data, gp = g.data
      if mu == 0 {
        for i in 0..<n { x[i] -= lr * (gp[i] + wd * x[i]) }
        continue
      }
      let first = buffers[k] == nil
      if first { buffers[k] = Tensor(uninitialized: p.shape) }
      let b = buffers[k]!.data
      for i in 0..<n {
        let d = gp[i] + wd * x[i]
        b[i] = first ? d : mu * b[i] + d
        x[i] -= lr * (nesterov ? d + mu * b[i] : b[i])
      }
    }
  }
}

public final class Adam: Optimizer {
  public let params: [Tensor]
  public var learningRate: Float
  public var beta1: Float, beta2: Float, eps: Float, weightDecay: Float
  /// true: AdamW (decoupled decay); false: L2 penalty added to the gradient.
  public var decoupledWeightDecay: Bool
  public internal(set) var stepCount = 0
  var m: [Tensor], v: [Tensor], steps: [Int]

  public init(_ params: [Tensor], lr: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8,
              weightDecay: Float = 0, decoupledWeightDecay: Bool = false) {
    self.params = params
    learningRate = lr
    self.beta1 = beta1
    self.beta2 = beta2
    self.eps = eps
    self.weightDecay = weightDecay
    self.decoupledWeightDecay = decoupledWeightDecay
    m = params.map { Tensor(zeros: $0.shape) }
    v = params.map { Tensor(zeros: $0.shape) }
    steps = Array(repeating: 0, count: params.count)
  }

  /// AdamW with PyTorch's default decay 0.01.
  public static func adamW(_ params: [Tensor], lr: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                           eps: Float = 1e-8, weightDecay: Float = 0.01) -> Adam {
    Adam(params, lr: lr, beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay, decoupledWeightDecay: true)
  }

  public func zeroGrad() { for p in params { p.zeroGrad() } }

  public func step() {
    stepCount += 1
    let lr = learningRate, b1 = beta1, b2 = beta2, eps = eps, wd = weightDecay
    for (k, p) in params.enumerated() {
      guard let g = p.grad else { continue }
      steps[k] += 1
      let t = Float(steps[k])
      let bc1 = 1 - _pow(b1, t), bc2 = 1 - _pow(b2, t)
      let stepSize = lr / bc1, invSqrtBc2 = 1 / bc2.squareRoot()
      let n = p.count, x = p.data, gp = g.data, mp = m[k].data, vp = v[k].data
      let decay: Float = decoupledWeightDecay ? 1 - lr * wd : 1
      let l2: Float = decoupledWeightDecay ? 0 : wd
      // v ≥ 0 always, so |v| = v: the square root of |v| is the same number, but lets the compiler use the
      // vector square root (Float.squareRoot goes through libm's errno path, which keeps the loop scalar).
      for i in 0..<n {
        let gi = gp[i] + l2 * x[i]
        let mi = b1 * mp[i] + (1 - b1) * gi
        let vi = b2 * vp[i] + (1 - b2) * gi * gi
        mp[i] = mi
        vp[i] = vi
        x[i] = x[i] * decay - stepSize * mi / (abs(vi).squareRoot() * invSqrtBc2 + eps)
      }
    }
  }
}

@inline(__always) func _pow(_ b: Float, _ e: Float) -> Float { Float(Foundation_exp(Double(e) * Foundation_log(Double(b)))) }

/// Scale all gradients so their global L2 norm is at most `maxNorm`; returns the norm before clipping.
@discardableResult
public func clipGradNorm(_ params: [Tensor], maxNorm: Float) -> Float {
  var s: Double = 0
  for p in params {
    guard let g = p.grad else { continue }
    let gp = g.data
    var local: Float = 0
    for i in 0..<g.count { local += gp[i] * gp[i] }
    s += Double(local)
  }
  let norm = Float(s.squareRoot())
  let coef = maxNorm / (norm + 1e-6)
  if coef < 1 {
    for p in params {
      guard let g = p.grad else { continue }
      if !p.gradOwned { p.grad = g.copy(); p.gradOwned = true }
      let gp = p.grad!.data
      for i in 0..<g.count { gp[i] *= coef }
    }
  }
  return norm
}

// MARK: checkpointing — optimizer state as named tensors (save them with Safetensors next to the parameters).

extension Adam {
  /// "<prefix>.m.<i>", "<prefix>.v.<i>" per parameter index and "<prefix>.steps" (per-parameter step counts,
  /// stored as Float: exact up to 2²⁴ steps).
  public func stateTensors(prefix: String = "adam") -> [(String, Tensor)] {
    var out: [(String, Tensor)] = []
    for i in 0..<params.count { out.append(("\(prefix).m.\(i)", m[i])); out.append(("\(prefix).v.\(i)", v[i])) }
    out.append(("\(prefix).steps", Tensor(shape: [steps.count], steps.map { Float($0) })))
    return out
  }
  public func loadState(_ tensors: [String: Tensor], prefix: String = "adam") throws {
    guard let s = tensors["\(prefix).steps"], s.count == params.count else {
      throw TensorError.io("optimizer state '\(prefix)' missing or for a different number of parameters")
    }
    for i in 0..<params.count {
      guard let mi = tensors["\(prefix).m.\(i)"], let vi = tensors["\(prefix).v.\(i)"] else {
        throw TensorError.io("optimizer state '\(prefix)' lacks moments of parameter \(i)")
      }
      try m[i].assign(mi)
      try v[i].assign(vi)
    }
    steps = s.toArray().map { Int($0) }
    stepCount = steps.max() ?? 0
  }
}

extension SGD {
  /// "<prefix>.buf.<i>" for each parameter that has a momentum buffer.
  public func stateTensors(prefix: String = "sgd") -> [(String, Tensor)] {
    buffers.enumerated().compactMap { i, b in b.map { ("\(prefix).buf.\(i)", $0) } }
  }
  public func loadState(_ tensors: [String: Tensor], prefix: String = "sgd") throws {
    for i in 0..<params.count {
      if let b = tensors["\(prefix).buf.\(i)"] {
        guard b.count == params[i].count else {
          throw TensorError.shapeMismatch(op: "SGD.loadState", lhs: params[i].shape, rhs: b.shape, detail: "buffer \(i)")
        }
        buffers[i] = b.copy()
      } else {
        buffers[i] = nil
      }
    }
  }
}
