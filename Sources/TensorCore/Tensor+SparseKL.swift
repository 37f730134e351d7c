// Distillation KL against a sparse (top-k) teacher distribution, fused: one kernel for the loss and one for its
// gradient, without a dense [rows × C] target, a scaled copy of the logits or a stored log-softmax.
//
//   L = T² / rows · Σ_r Σ_{j ∈ S_r} p_rj (log p_rj − log q_rj),   q_r = softmax(z_r / T)
//   ∂L/∂z_ri = T / rows · (q_ri − p_ri [i ∈ S_r])                 (Σ_j p_rj = 1; p = 0 outside S_r)
//
// S_r = the k token ids of row r, log p_rj their log-probabilities (the renormalised top-k of the teacher, see
// Compression's TeacherCache; with k = C and the full teacher softmax this is `klDivergence`). The forward
// keeps one log-sum-exp per row; the backward recomputes q from it. Source: Hinton et al. 2015 (the T² factor).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// T² · mean over rows of KL(p ‖ softmax(logits / T)) for sparse targets: row r's target is `ids[r·k ..< r·k+k]`
/// with log-probabilities `logprobs[r·k ..< r·k+k]` (each row's probabilities summing to 1).
public func sparseKLDivergence(_ logits: Tensor, ids: [Int32], logprobs: [Float], k: Int,
                               temperature: Float = 1) throws -> Tensor {
  let c = logits.lastDim, rows = logits.rowCount
  guard k >= 1, ids.count == rows * k, logprobs.count == rows * k else {
    throw TensorError.shapeMismatch(op: "sparseKLDivergence", lhs: logits.shape, rhs: [ids.count, logprobs.count],
                                    detail: "need rows·k ids and log-probabilities (k = \(k))")
  }
  guard temperature > 0 else {
    throw TensorError.invalidArgument(op: "sparseKLDivergence", message: "temperature must be > 0, got \(temperature)")
  }
  for i in ids where i < 0 || Int(i) >= c { throw TensorError.indexOutOfRange(op: "sparseKLDivergence id", index: Int(i), bound: c) }
  let invT = 1 / temperature
  var lse = [Float](repeating: 0, count: rows)
  var total: Double = 0
  let z = logits.data
  for r in 0..<rows {
    let zr = z + r * c
    var m = -Float.infinity
    for j in 0..<c { m = Swift.max(m, zr[j]) }
    let ms = m.isFinite ? m * invT : 0
    var s: Float = 0
    for j in 0..<c { s += FastMath.exp(zr[j] * invT - ms) }
    let l = ms + logf(s)
    lse[r] = l
    var row: Double = 0
    for j in 0..<k {
      let lp = logprobs[r * k + j]
      row += Double(FastMath.exp(lp)) * Double(lp - (zr[Int(ids[r * k + j])] * invT - l))
    }
    total += row
  }
  let scale = temperature * temperature / Float(Swift.max(rows, 1))
  let out = Tensor(scalar: Float(total) * scale)
  if needsGrad(logits) {
    out.record("sparseKLDivergence", [logits]) { g in
      let coef = g.data[0] * scale * invT
      logits.withGradBuffer { dst, acc in
        for r in 0..<rows {
          let zr = z + r * c, dr = dst + r * c, l = lse[r]
          if acc { for j in 0..<c { dr[j] += coef * FastMath.exp(zr[j] * invT - l) } }
          else { for j in 0..<c { dr[j] = coef * FastMath.exp(zr[j] * invT - l) } }
          for j in 0..<k { dr[Int(ids[r * k + j])] -= coef * FastMath.exp(logprobs[r * k + j]) }
        }
      }
    }
  }
  return out
}
