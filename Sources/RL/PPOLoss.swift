// The PPO loss and its exact gradient with respect to the policy logits and the value predictions.
//   ratio = exp(logπ(a|s) − logπ_old(a|s))
//   L_pg  = −mean( min(ratio·A, clip(ratio, 1−ε, 1+ε)·A) )
//   L_v   = ½·mean( max((V − R)², (V_old + clip(V − V_old, −ε_v, ε_v) − R)²) )   (or ½·mean((V − R)²))
//   L     = L_pg − c_ent·mean(H) + c_v·L_v
// The gradient is derived by hand (d logπ_a/dz_j = 1[j=a] − p_j; dH/dz_j = −p_j(log p_j + H)) and then fed to
// the networks' autograd as an upstream gradient. Where the min/max tie (ratio inside the clip range) both
// branches have the same gradient, so the subgradient is unambiguous except on the clip boundary itself.
import TensorCore
#if canImport(Glibc)
import Glibc
#endif

public struct PPOLossConfig: Codable, Equatable, Sendable {
  public var clip: Float = 0.2
  public var clipValue: Bool = true
  public var valueClip: Float = 0.2
  public var entropyCoef: Float = 0.01
  public var valueCoef: Float = 0.5
  public init() {}
}

public struct PPOLossOutput {
  public var policyLoss: Float = 0
  public var valueLoss: Float = 0
  public var entropy: Float = 0
  public var approxKL: Float = 0
  public var clipFraction: Float = 0
  public var total: Float = 0
  /// dL/dlogits, [B × width].
  public var dLogits: [Float] = []
  /// dL/dV, [B].
  public var dValues: [Float] = []
}

/// - Parameters: logits [B×width]; masks [B×width] or nil; actions [B×heads]; the rest [B].
public func ppoLoss(dist: MultiCategorical, logits: [Float], masks: [Bool]?, actions: [Int],
                    oldLogProbs: [Float], advantages: [Float], values: [Float], oldValues: [Float],
                    returns: [Float], config c: PPOLossConfig) throws -> PPOLossOutput {
  let b = oldLogProbs.count, w = dist.width, h = dist.nvec.count
  guard b > 0, logits.count == b * w, actions.count == b * h, advantages.count == b, values.count == b,
        oldValues.count == b, returns.count == b, masks.map({ $0.count == b * w }) ?? true else {
    throw RLError.shape("ppoLoss: inconsistent batch sizes (B=\(b), width=\(w), heads=\(h))")
  }
  var out = PPOLossOutput()
  out.dLogits = [Float](repeating: 0, count: b * w)
  out.dValues = [Float](repeating: 0, count: b)
  let inv = 1 / Float(b)
  let offs = dist.offsets
  for i in 0..<b {
    let (logp, p) = try dist.logSoftmax(row: logits[i * w..<(i + 1) * w], mask: masks?[i * w..<(i + 1) * w])
    let act = actions[i * h..<(i + 1) * h]
    let newLP = dist.logProb(logp: logp, action: act)
    let logRatio = newLP - oldLogProbs[i]
    let ratio = expf(logRatio)
    let a = advantages[i]
    let unclipped = ratio * a
    let clipped = min(max(ratio, 1 - c.clip), 1 + c.clip) * a
    out.policyLoss -= min(unclipped, clipped) * inv
    out.approxKL += ((ratio - 1) - logRatio) * inv
    if abs(ratio - 1) > c.clip { out.clipFraction += inv }
    // Gradient of −min(·) w.r.t. newLP: flows unless the clipped branch is the binding, constant one.
    let inside = ratio >= 1 - c.clip && ratio <= 1 + c.clip
    let dNewLP: Float = (inside || unclipped < clipped) ? -a * ratio * inv : 0
    // Entropy per head and its gradient.
    var hRow: Float = 0
    for (head, (k, off)) in zip(dist.nvec, offs).enumerated() {
      var hk: Float = 0
      for j in off..<off + k where p[j] > 0 { hk -= p[j] * logp[j] }
      hRow += hk
      let sel = off + act[act.startIndex + head]
      for j in off..<off + k {
        let dlp = (j == sel ? 1 : 0) - p[j]
        let dH = p[j] > 0 ? -p[j] * (logp[j] + hk) : 0
        out.dLogits[i * w + j] = dNewLP * dlp - c.entropyCoef * inv * dH
      }
    }
    out.entropy += hRow * inv
    // Value loss.
    let v = values[i], r = returns[i]
    let e1 = (v - r) * (v - r)
    if c.clipValue {
      let dv = v - oldValues[i]
      let vc = oldValues[i] + min(max(dv, -c.valueClip), c.valueClip)
      let e2 = (vc - r) * (vc - r)
      out.valueLoss += 0.5 * max(e1, e2) * inv
      let dvInside = dv >= -c.valueClip && dv <= c.valueClip
      let g: Float = (e1 >= e2 || dvInside) ? (v - r) : 0
      out.dValues[i] = c.valueCoef * g * inv
    } else {
      out.valueLoss += 0.5 * e1 * inv
      out.dValues[i] = c.valueCoef * (v - r) * inv
    }
  }
  out.total = out.policyLoss - c.entropyCoef * out.entropy + c.valueCoef * out.valueLoss
  return out
}
