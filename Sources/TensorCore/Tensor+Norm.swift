// Normalisation over the last axis: RMSNorm (Llama: y = x / sqrt(mean(x²) + eps) · w) and LayerNorm
// (y = (x − mean) / sqrt(var + eps) · w + b, biased variance as in PyTorch). Per-row statistics (sums of
// squares, mean, variance) are accumulated in Float.

/// RMSNorm over the last axis. `weight`: [D] or nil (no scale).
public func rmsNorm(_ x: Tensor, weight: Tensor?, eps: Float = 1e-5) throws -> Tensor {
  let d = x.lastDim, rows = x.rowCount
  if let w = weight, w.count != d {
    throw TensorError.shapeMismatch(op: "rmsNorm", lhs: x.shape, rhs: w.shape, detail: "weight must be [\(d)]")
  }
  let out = Tensor(uninitialized: x.shape)
  var rinv = [Float](repeating: 0, count: rows)
  let xp = x.data, o = out.data, wp = weight?.data
  for r in 0..<rows {
    let xr = xp + r * d, orow = o + r * d
    var ss: Float = 0
    for j in 0..<d { ss += xr[j] * xr[j] }
    let ri = 1 / (ss / Float(d) + eps).squareRoot()
    rinv[r] = ri
    if let wp { for j in 0..<d { orow[j] = xr[j] * ri * wp[j] } } else { for j in 0..<d { orow[j] = xr[j] * ri } }
  }
  let inputs = weight.map { [x, $0] } ?? [x]
  if needsGrad(inputs) {
    out.record("rmsNorm", inputs) { g in
      let gp = g.data
      if let w = weight, w.requiresGrad {
        w.withGradBuffer { dst, acc in
          if !acc { dst.initialize(repeating: 0, count: d) }
          for r in 0..<rows {
            let gr = gp + r * d, xr = xp + r * d, ri = rinv[r]
            for j in 0..<d { dst[j] += gr[j] * xr[j] * ri }
          }
        }
      }
      x.withGradBuffer { dst, acc in
        var dxh = [Float](repeating: 0, count: d)
        for r in 0..<rows {
          let gr = gp + r * d, xr = xp + r * d, dr = dst + r * d, ri = rinv[r]
          var dot: Float = 0
          if let wp { for j in 0..<d { dxh[j] = gr[j] * wp[j] } } else { for j in 0..<d { dxh[j] = gr[j] } }
          for j in 0..<d { dot += dxh[j] * xr[j] }
          let c = dot * ri * ri / Float(d)   // mean(dxhat·xhat) / r  expressed with x
          for j in 0..<d {
            let v = ri * (dxh[j] - xr[j] * c)
            dr[j] = acc ? dr[j] + v : v
          }
        }
      }
    }
  }
  return out
}

/// LayerNorm over the last axis with optional affine weight/bias ([D] each).
public func layerNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, eps: Float = 1e-5) throws -> Tensor {
  let d = x.lastDim, rows = x.rowCount
  for p in [weight, bias].compactMap({ $0 }) where p.count != d {
    throw TensorError.shapeMismatch(op: "layerNorm", lhs: x.shape, rhs: p.shape, detail: "weight/bias must be [\(d)]")
  }
  let out = Tensor(uninitialized: x.shape)
  let xhat = Tensor(uninitialized: x.shape)
  var rinv = [Float](repeating: 0, count: rows)
  let xp = x.data, hp = xhat.data, o = out.data, wp = weight?.data, bp = bias?.data
  for r in 0..<rows {
    let xr = xp + r * d, hr = hp + r * d, orow = o + r * d
    var mu: Float = 0
    for j in 0..<d { mu += xr[j] }
    mu /= Float(d)
    var v: Float = 0
    for j in 0..<d { let c = xr[j] - mu; v += c * c }
    let ri = 1 / (v / Float(d) + eps).squareRoot()
    rinv[r] = ri
    for j in 0..<d {
      let h = (xr[j] - mu) * ri
      hr[j] = h
      orow[j] = h * (wp?[j] ?? 1) + (bp?[j] ?? 0)
    }
  }
  let inputs = [x] + [weight, bias].compactMap { $0 }
  if needsGrad(inputs) {
    out.record("layerNorm", inputs) { g in
      let gp = g.data, hp = xhat.data   // keep `xhat` alive through the closure
      weight?.withGradBuffer { dst, acc in
        if !acc { dst.initialize(repeating: 0, count: d) }
        for r in 0..<rows { let gr = gp + r * d, hr = hp + r * d; for j in 0..<d { dst[j] += gr[j] * hr[j] } }
      }
      bias?.withGradBuffer { dst, acc in
        if !acc { dst.initialize(repeating: 0, count: d) }
        for r in 0..<rows { let gr = gp + r * d; for j in 0..<d { dst[j] += gr[j] } }
      }
      x.withGradBuffer { dst, acc in
        var dxh = [Float](repeating: 0, count: d)
        for r in 0..<rows {
          let gr = gp + r * d, hr = hp + r * d, dr = dst + r * d
          var m1: Float = 0, m2: Float = 0
          for j in 0..<d {
            let v = gr[j] * (wp?[j] ?? 1)
            dxh[j] = v
            m1 += v
            m2 += v * hr[j]
          }
          m1 /= Float(d); m2 /= Float(d)
          for j in 0..<d {
            let v = rinv[r] * (dxh[j] - m1 - hr[j] * m2)
            dr[j] = acc ? dr[j] + v : v
          }
        }
      }
    }
  }
  return out
}
