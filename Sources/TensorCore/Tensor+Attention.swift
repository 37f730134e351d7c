// Rotary position embedding and causal grouped-query attention.
//
// Layout: token rows with heads packed in the last axis — q: [B·T, Hq·Dh], k/v: [B·S, Hkv·Dh] (any leading
// shape whose row count is B·T works). Each head is addressed in place through BLAS leading dimensions, so
// no transposes or copies are made. Query head h reads KV head h / (Hq / Hkv).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum RopeStyle: String, Sendable, Codable {
  /// Rotate (x[2i], x[2i+1]) — the original RoFormer / Meta Llama / GGUF (permuted Q,K) convention.
  case adjacentPairs
  /// Rotate (x[i], x[i + Dh/2]) — the Hugging Face `rotate_half` convention.
  case halfSplit
}

/// Apply rotary embedding to each of `heads` heads of every row; `positions[r]` is row r's absolute position.
/// Frequencies: θ^(−2i/Dh), i < Dh/2 (computed as in HF: Float inverse frequencies, Float angle), each divided by
/// `frequencyFactors[i]` when given (Llama-3.1 scaling, llama.cpp rope_freqs).
public func rope(_ x: Tensor, heads: Int, positions: [Int], theta: Float = 10000,
                 style: RopeStyle = .adjacentPairs, frequencyFactors: [Float]? = nil) throws -> Tensor {
  let rows = x.rowCount, width = x.lastDim
  guard heads > 0, width % heads == 0, (width / heads) % 2 == 0 else {
    throw TensorError.invalidArgument(op: "rope", message: "last dim \(width) must be heads(\(heads)) × even head dim")
  }
  guard positions.count == rows else {
    throw TensorError.shapeMismatch(op: "rope", lhs: x.shape, rhs: [positions.count], detail: "one position per row")
  }
  let dh = width / heads, half = dh / 2
  if let f = frequencyFactors, f.count != half {
    throw TensorError.invalidArgument(op: "rope", message: "\(f.count) frequency factors for head dim \(dh) (need \(half))")
  }
  var cosT = [Float](repeating: 0, count: rows * half), sinT = cosT
  for i in 0..<half {
    let inv = Float(1 / Foundation_exp(Foundation_log(Double(theta)) * Double(2 * i) / Double(dh))) / (frequencyFactors?[i] ?? 1)
    for r in 0..<rows {
      let a = Double(Float(positions[r]) * inv)
      cosT[r * half + i] = Float(Foundation_cos(a))
      sinT[r * half + i] = Float(sin(a))
    }
  }
  // (i0, i1) offsets of pair i within a head.
  let stride = style == .adjacentPairs ? 2 : 1, partner = style == .adjacentPairs ? 1 : half
  func rotate(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, sign: Float, accumulate: Bool) {
    for r in 0..<rows {
      let cr = r * half
      for h in 0..<heads {
        let base = r * width + h * dh
        for i in 0..<half {
          let j0 = base + i * stride, j1 = j0 + partner
          let c = cosT[cr + i], s = sign * sinT[cr + i]
          let a = src[j0], b = src[j1]
          let y0 = a * c - b * s, y1 = a * s + b * c
          if accumulate { dst[j0] += y0; dst[j1] += y1 } else { dst[j0] = y0; dst[j1] = y1 }
        }
      }
    }
  }
  let out = Tensor(uninitialized: x.shape)
  rotate(x.data, out.data, sign: 1, accumulate: false)
  if needsGrad(x) {
    out.record("rope", [x]) { g in
      x.withGradBuffer { dst, acc in rotate(g.data, dst, sign: -1, accumulate: acc) }
    }
  }
  return out
}

/// Positions for `batch` sequences of `seqLen` tokens starting at `start` (row order b-major).
public func ropePositions(batch: Int, seqLen: Int, start: Int = 0) -> [Int] {
  (0..<(batch * seqLen)).map { start + $0 % seqLen }
}

/// Scaled dot-product attention for grouped-query heads, causal by default. With S keys and T queries per
/// sequence, query t sits at absolute position S − T + t (so a KV cache prefix works) and sees keys ≤ it.
public func causalAttention(q: Tensor, k: Tensor, v: Tensor, batch: Int, heads: Int, kvHeads: Int,
                            causal: Bool = true, scale: Float? = nil) throws -> Tensor {
  guard batch > 0, heads > 0, kvHeads > 0, heads % kvHeads == 0 else {
    throw TensorError.invalidArgument(op: "attention", message: "heads \(heads) must be a multiple of kvHeads \(kvHeads)")
  }
  guard q.lastDim % heads == 0, k.shape == v.shape, k.lastDim * heads == q.lastDim * kvHeads,
        q.rowCount % batch == 0, k.rowCount % batch == 0 else {
    throw TensorError.shapeMismatch(op: "attention", lhs: q.shape, rhs: k.shape,
                                    detail: "q [B·T, \(heads)·Dh], k/v [B·S, \(kvHeads)·Dh], v \(v.shape)")
  }
  let dh = q.lastDim / heads, t = q.rowCount / batch, s = k.rowCount / batch
  guard !causal || s >= t else {
    throw TensorError.shapeMismatch(op: "attention", lhs: q.shape, rhs: k.shape, detail: "causal needs S ≥ T")
  }
  let ldq = heads * dh, ldk = kvHeads * dh, group = heads / kvHeads
  let sc = scale ?? 1 / Float(dh).squareRoot()
  let probs = Tensor(uninitialized: [batch, heads, t, s])
  let out = Tensor(uninitialized: q.shape)
  let pp = probs.data, qp = q.data, kp = k.data, vp = v.data, op = out.data
  let ts = t * s
  for b in 0..<batch {
    for h in 0..<heads {
      let g = h / group
      let P = pp + (b * heads + h) * ts
      let Q = qp + b * t * ldq + h * dh, K = kp + b * s * ldk + g * dh, V = vp + b * s * ldk + g * dh
      BLAS.sgemm(transA: false, transB: true, m: t, n: s, k: dh, alpha: sc, a: Q, lda: ldq, b: K, ldb: ldk,
                 beta: 0, c: P, ldc: s)
      for i in 0..<t {
        let row = P + i * s
        let valid = causal ? s - t + i + 1 : s
        var m = -Float.infinity
        for j in 0..<valid { m = max(m, row[j]) }
        var sum: Float = 0
        for j in 0..<valid { let e = FastMath.exp(row[j] - m); row[j] = e; sum += e }
        let inv = 1 / sum
        for j in 0..<valid { row[j] *= inv }
        for j in valid..<s { row[j] = 0 }
      }
      BLAS.sgemm(transA: false, transB: false, m: t, n: dh, k: s, a: P, lda: s, b: V, ldb: ldk, beta: 0,
                 c: op + b * t * ldq + h * dh, ldc: ldq)
    }
  }
  if needsGrad([q, k, v]) {
    out.record("attention", [q, k, v]) { gOut in
      let go = gOut.data, pp = probs.data   // keep `probs` alive through the closure
      let dS = Tensor(uninitialized: [batch, heads, t, s])
      let ds = dS.data
      for b in 0..<batch {
        for h in 0..<heads {
          let g = h / group
          let P = pp + (b * heads + h) * ts, D = ds + (b * heads + h) * ts
          let dO = go + b * t * ldq + h * dh, V = vp + b * s * ldk + g * dh
          // dP = dO·Vᵀ ; dS = scale · P ⊙ (dP − Σ_j dP⊙P)
          BLAS.sgemm(transA: false, transB: true, m: t, n: s, k: dh, a: dO, lda: ldq, b: V, ldb: ldk, beta: 0, c: D, ldc: s)
          for i in 0..<t {
            let pr = P + i * s, dr = D + i * s
            var dot: Float = 0
            for j in 0..<s { dot += pr[j] * dr[j] }
            for j in 0..<s { dr[j] = sc * pr[j] * (dr[j] - dot) }
          }
        }
      }
      q.withGradBuffer { dst, acc in
        for b in 0..<batch {
          for h in 0..<heads {
            let g = h / group
            BLAS.sgemm(transA: false, transB: false, m: t, n: dh, k: s, a: ds + (b * heads + h) * ts, lda: s,
                       b: kp + b * s * ldk + g * dh, ldb: ldk, beta: acc ? 1 : 0, c: dst + b * t * ldq + h * dh, ldc: ldq)
          }
        }
      }
      // dK = dSᵀ·Q and dV = Pᵀ·dO: per query head, summed into its KV head (the group's first head
      // overwrites unless the buffer already accumulates).
      func kvGrad(_ x: Tensor, _ mats: UnsafePointer<Float>, _ rows: UnsafePointer<Float>) {
        x.withGradBuffer { dst, acc in
          for b in 0..<batch {
            for h in 0..<heads {
              let g = h / group, first = h % group == 0
              BLAS.sgemm(transA: true, transB: false, m: s, n: dh, k: t, a: mats + (b * heads + h) * ts, lda: s,
                         b: rows + b * t * ldq + h * dh, ldb: ldq, beta: (acc || !first) ? 1 : 0,
                         c: dst + b * s * ldk + g * dh, ldc: ldk)
            }
          }
        }
      }
      kvGrad(k, ds, qp)
      kvGrad(v, pp, go)
    }
  }
  return out
}
