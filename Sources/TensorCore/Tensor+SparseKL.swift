// Distillation KL against a top-k teacher distribution with its tail kept as one category, fused: one kernel for
// the loss and one for its gradient, without a dense [rows × C] target, a scaled copy of the logits or a stored
// log-softmax.
//
// The teacher's distribution at temperature T is coarsened to k + 1 categories: its k most probable tokens S_r and
// one "rest" bucket holding the remaining mass P_r = 1 − Σ_{j∈S_r} p_rj. The student's distribution q_r =
// softmax(z_r / T) is coarsened the same way (Q_r = Σ_{j∉S_r} q_rj), and the loss is the KL between the two
// coarsened distributions:
//
//   L = T² / rows · Σ_r [ Σ_{j∈S_r} p_rj (log p_rj − log q_rj) + P_r (log P_r − log Q_r) ]
//   ∂L/∂z_ri = T / rows · (q_ri − p_ri)              for i ∈ S_r
//   ∂L/∂z_ri = T / rows · q_ri (1 − P_r / Q_r)       for i ∉ S_r
//
// p_rj are the teacher's full-vocabulary probabilities (not renormalised over S_r). By the data-processing
// inequality the coarsened KL is ≥ 0, is ≤ the full KL, and is 0 when the student equals the teacher; with k = C
// (no tail, P_r = 0) it is the full forward KL of `klDivergence`. Renormalising the top-k and comparing it with
// the student's full softmax (the form used before) is not a KL between distributions on one space: an exact
// copy of the teacher then has loss −T²·log Σ_{j∈S} q_j > 0 and is pushed to move its tail mass into S (sharper
// than the teacher). Anshumann et al., "Sparse Logit Sampling: Accelerating Knowledge Distillation in LLMs"
// (ACL 2025, arXiv:2503.16870) show that cached, renormalised top-k targets are biased; the coarsening here keeps
// the cached top-k but makes the loss a true KL (the KL of both distributions pushed through the map "token ↦ itself
// if in S_r, else rest"; data-processing inequality: Cover & Thomas 2006, Thm 2.8.1). T² is Hinton et al. 2015.
//
// Numerics: the forward keeps log Σ_all exp(z/T) and log Σ_tail exp(z/T) per row (the tail sum accumulated directly
// over the tail, never as 1 − Σ_S, so a tiny tail keeps its relative precision; recomputed from the tail's own
// maximum when it would underflow); the backward recomputes q from them.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// T² · mean over rows of KL between the (k + 1)-category coarsenings of a teacher and of softmax(logits / T):
/// row r's top-k ids are `ids[r·k ..< r·k+k]` (distinct), their teacher log-probabilities (full vocabulary, at T)
/// `logprobs[r·k ..< r·k+k]`, and `tailLogMass[r]` = log of the teacher's remaining mass (−∞ when none).
public func sparseKLDivergence(_ logits: Tensor, ids: [Int32], logprobs: [Float], tailLogMass: [Float], k: Int,
                               temperature: Float = 1) throws -> Tensor {
  let c = logits.lastDim, rows = logits.rowCount
  guard k >= 1, k <= c, ids.count == rows * k, logprobs.count == rows * k, tailLogMass.count == rows else {
    throw TensorError.shapeMismatch(op: "sparseKLDivergence", lhs: logits.shape, rhs: [ids.count, logprobs.count, tailLogMass.count],
                                    detail: "need rows·k ids and log-probabilities and one tail log-mass per row (k = \(k) ≤ \(c))")
  }
  guard temperature > 0 else {
    throw TensorError.invalidArgument(op: "sparseKLDivergence", message: "temperature must be > 0, got \(temperature)")
  }
  for i in ids where i < 0 || Int(i) >= c { throw TensorError.indexOutOfRange(op: "sparseKLDivergence id", index: Int(i), bound: c) }
  for t in tailLogMass where t.isNaN || t > 1e-3 {
    throw TensorError.invalidArgument(op: "sparseKLDivergence", message: "tail log-mass must be ≤ 0 or −∞, got \(t)")
  }
  let invT = 1 / temperature
  var lse = [Float](repeating: 0, count: rows), tailRatio = [Float](repeating: 0, count: rows)  // log|1 − P/Q|
  var tailSign = [Float](repeating: 1, count: rows)
  var inTop = [Bool](repeating: false, count: c)
  var total: Double = 0
  let z = logits.data
  for r in 0..<rows {
    let zr = z + r * c
    for j in 0..<k {
      let i = Int(ids[r * k + j])
      if inTop[i] {
        for jj in 0..<k { inTop[Int(ids[r * k + jj])] = false }
        throw TensorError.invalidArgument(op: "sparseKLDivergence", message: "row \(r) repeats token id \(i) in its top-k")
      }
      inTop[i] = true
    }
    var m = -Float.infinity, mt = -Float.infinity
    for j in 0..<c { let v = zr[j]; m = Swift.max(m, v); if !inTop[j] { mt = Swift.max(mt, v) } }
    let ms = m.isFinite ? m * invT : 0
    var s: Float = 0, st: Float = 0
    for j in 0..<c { let e = FastMath.exp(zr[j] * invT - ms); s += e; if !inTop[j] { st += e } }
    let l = ms + logf(s)
    lse[r] = l
    // log Σ_tail exp(z/T); from the tail's own maximum when the sum against the overall maximum is too small.
    var lt = -Float.infinity
    if k < c {
      if st > 1e-30 { lt = ms + logf(st) } else {
        let mts = mt * invT
        var s2: Float = 0
        for j in 0..<c where !inTop[j] { s2 += FastMath.exp(zr[j] * invT - mts) }
        lt = mts + logf(s2)
      }
    }
    var row: Double = 0
    for j in 0..<k {
      let lp = logprobs[r * k + j]
      row += Double(FastMath.exp(lp)) * Double(lp - (zr[Int(ids[r * k + j])] * invT - l))
    }
    let lP = tailLogMass[r]
    if lP > -Float.infinity {
      guard k < c else {
        for j in 0..<k { inTop[Int(ids[r * k + j])] = false }
        throw TensorError.invalidArgument(op: "sparseKLDivergence", message: "row \(r) has tail mass but k = vocabulary size")
      }
      let logQ = lt - l
      row += Double(FastMath.exp(lP)) * Double(lP - logQ)
      let ratio = Double(lP) - Double(lt - l)                 // log(P/Q)
      let rho = 1 - exp(ratio)                       // 1 − P/Q
      tailSign[r] = rho < 0 ? -1 : 1
      tailRatio[r] = rho == 0 ? -Float.infinity : Float(log(Swift.abs(rho)))
    }
    total += row
    for j in 0..<k { inTop[Int(ids[r * k + j])] = false }
  }
  let scale = temperature * temperature / Float(Swift.max(rows, 1))
  let out = Tensor(scalar: Float(total) * scale)
  if needsGrad(logits) {
    out.record("sparseKLDivergence", [logits]) { g in
      let coef = g.data[0] * scale * invT
      var top = [Bool](repeating: false, count: c)
      logits.withGradBuffer { dst, acc in
        for r in 0..<rows {
          let zr = z + r * c, dr = dst + r * c, l = lse[r], lr = tailRatio[r], cs = coef * tailSign[r]
          for j in 0..<k { top[Int(ids[r * k + j])] = true }
          // q_i for the top-k, q_i·(1 − P/Q) = sign·exp(z_i/T − l + log|1 − P/Q|) for the tail (no underflow of q_i
          // times a large ratio); then − p_i on the top-k.
          for j in 0..<c {
            let v = top[j] ? coef * FastMath.exp(zr[j] * invT - l) : cs * FastMath.exp(zr[j] * invT - l + lr)
            if acc { dr[j] += v } else { dr[j] = v }
          }
          for j in 0..<k { let i = Int(ids[r * k + j]); dr[i] -= coef * FastMath.exp(logprobs[r * k + j]); top[i] = false }
        }
      }
    }
  }
  return out
}
