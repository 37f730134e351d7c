// Softmax family over the last axis (max-shifted, numerically stable), fused cross-entropy, KL divergence with
// temperature (distillation), and gathering one entry per row (log-probabilities of taken actions).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Row-wise log-softmax of `x` (rows × c) into `y`, scaled by `invT` first. Returns nothing; y may alias no input.
@inline(__always)
func logSoftmaxRows(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, c: Int, invT: Float = 1) {
  for r in 0..<rows {
    let xr = x + r * c, yr = y + r * c
    var m = -Float.infinity
    for j in 0..<c { m = Swift.max(m, xr[j] * invT) }
    if !m.isFinite { m = 0 }
    var s: Float = 0
    for j in 0..<c { let v = xr[j] * invT - m; yr[j] = v; s += FastMath.exp(v) }
    let ls = logf(s)
    for j in 0..<c { yr[j] -= ls }
  }
}

extension Tensor {
  /// log-softmax over the last axis.
  public func logSoftmax() -> Tensor {
    let c = lastDim, rows = rowCount
    let out = Tensor(uninitialized: shape)
    logSoftmaxRows(data, out.data, rows: rows, c: c)
    if needsGrad(self) {
      out.record("logSoftmax", [self]) { [unowned out] g in
        // dx = g - softmax · Σ g
        self.withGradBuffer { dst, acc in
          let gp = g.data, yp = out.data
          for r in 0..<rows {
            let gr = gp + r * c, yr = yp + r * c, dr = dst + r * c
            var s: Float = 0
            for j in 0..<c { s += gr[j] }
            if acc { for j in 0..<c { dr[j] += gr[j] - FastMath.exp(yr[j]) * s } }
            else { for j in 0..<c { dr[j] = gr[j] - FastMath.exp(yr[j]) * s } }
          }
        }
      }
    }
    return out
  }

  /// softmax over the last axis.
  public func softmax() -> Tensor {
    let c = lastDim, rows = rowCount
    let out = Tensor(uninitialized: shape)
    let y = out.data
    logSoftmaxRows(data, y, rows: rows, c: c)
    for i in 0..<count { y[i] = FastMath.exp(y[i]) }
    if needsGrad(self) {
      out.record("softmax", [self]) { [unowned out] g in
        // dx = y ⊙ (g - Σ g⊙y)
        self.withGradBuffer { dst, acc in
          let gp = g.data, yp = out.data
          for r in 0..<rows {
            let gr = gp + r * c, yr = yp + r * c, dr = dst + r * c
            var s: Float = 0
            for j in 0..<c { s += gr[j] * yr[j] }
            if acc { for j in 0..<c { dr[j] += yr[j] * (gr[j] - s) } } else { for j in 0..<c { dr[j] = yr[j] * (gr[j] - s) } }
          }
        }
      }
    }
    return out
  }

  /// out[r] = x[r, index[r]] for x viewed as [rows, lastDim] (output shape = shape without the last axis).
  public func gatherLast(_ index: [Int]) throws -> Tensor {
    let c = lastDim, rows = rowCount
    guard index.count == rows else {
      throw TensorError.shapeMismatch(op: "gatherLast", lhs: shape, rhs: [index.count], detail: "one index per row")
    }
    for i in index where i < 0 || i >= c { throw TensorError.indexOutOfRange(op: "gatherLast", index: i, bound: c) }
    let out = Tensor(uninitialized: Array(shape.dropLast()))
    let p = data, o = out.data
    for r in 0..<rows { o[r] = p[r * c + index[r]] }
    if needsGrad(self) {
      let n = count
      out.record("gatherLast", [self]) { g in
        self.withGradBuffer { dst, acc in
          if !acc { dst.initialize(repeating: 0, count: n) }
          let gp = g.data
          for r in 0..<rows { dst[r * c + index[r]] += gp[r] }
        }
      }
    }
    return out
  }
}

/// Mean cross-entropy of `logits` [..., C] against integer `targets` (one per row). Rows whose target equals
/// `ignoreIndex` are skipped (and excluded from the mean). Returns a scalar.
public func crossEntropy(_ logits: Tensor, targets: [Int], ignoreIndex: Int? = nil) throws -> Tensor {
  let c = logits.lastDim, rows = logits.rowCount
  guard targets.count == rows else {
    throw TensorError.shapeMismatch(op: "crossEntropy", lhs: logits.shape, rhs: [targets.count],
                                    detail: "one target per row")
  }
  var valid = 0
  for t in targets where t != ignoreIndex {
    guard t >= 0 && t < c else { throw TensorError.indexOutOfRange(op: "crossEntropy target", index: t, bound: c) }
    valid += 1
  }
  let logp = Tensor(uninitialized: logits.shape)
  logSoftmaxRows(logits.data, logp.data, rows: rows, c: c)
  var loss: Double = 0
  for r in 0..<rows where targets[r] != ignoreIndex { loss -= Double(logp.data[r * c + targets[r]]) }
  let inv = valid > 0 ? 1 / Float(valid) : 0
  let out = Tensor(scalar: Float(loss) * inv)
  if needsGrad(logits) {
    out.record("crossEntropy", [logits]) { g in
      let gs = g.data[0] * inv
      logits.withGradBuffer { dst, acc in
        let lp = logp.data
        for r in 0..<rows {
          let dr = dst + r * c, lr = lp + r * c
          if targets[r] == ignoreIndex {
            if !acc { dr.initialize(repeating: 0, count: c) }
            continue
          }
          if acc { for j in 0..<c { dr[j] += gs * FastMath.exp(lr[j]) } } else { for j in 0..<c { dr[j] = gs * FastMath.exp(lr[j]) } }
          dr[targets[r]] -= gs
        }
      }
    }
  }
  return out
}

/// Distillation KL: T² · mean over rows of KL(p_teacher ‖ p_student), p = softmax(logits / T).
/// Both logits are [..., C] with equal shapes. Gradients flow to whichever inputs require them.
public func klDivergence(student: Tensor, teacher: Tensor, temperature: Float = 1) throws -> Tensor {
  guard student.shape == teacher.shape else {
    throw TensorError.shapeMismatch(op: "klDivergence", lhs: student.shape, rhs: teacher.shape, detail: "")
  }
  guard temperature > 0 else {
    throw TensorError.invalidArgument(op: "klDivergence", message: "temperature must be > 0, got \(temperature)")
  }
  let c = student.lastDim, rows = student.rowCount, invT = 1 / temperature
  let ls = Tensor(uninitialized: student.shape), lt = Tensor(uninitialized: teacher.shape)
  logSoftmaxRows(student.data, ls.data, rows: rows, c: c, invT: invT)
  logSoftmaxRows(teacher.data, lt.data, rows: rows, c: c, invT: invT)
  var rowKL = [Float](repeating: 0, count: rows)
  var total: Double = 0
  for r in 0..<rows {
    let a = lt.data + r * c, b = ls.data + r * c
    var s: Float = 0
    for j in 0..<c { s += FastMath.exp(a[j]) * (a[j] - b[j]) }
    rowKL[r] = s
    total += Double(s)
  }
  let scale = temperature * temperature / Float(Swift.max(rows, 1))
  let out = Tensor(scalar: Float(total) * scale)
  if needsGrad(student, teacher) {
    out.record("klDivergence", [student, teacher]) { g in
      let k = g.data[0] * scale * invT
      // d/dz_s = (p_s - p_t)/T ; d/dz_t = p_t ⊙ ((log p_t - log p_s) - KL_row)/T
      student.withGradBuffer { dst, acc in
        for i in 0..<(rows * c) {
          let v = k * (FastMath.exp(ls.data[i]) - FastMath.exp(lt.data[i]))
          dst[i] = acc ? dst[i] + v : v
        }
      }
      teacher.withGradBuffer { dst, acc in
        for r in 0..<rows {
          for j in 0..<c {
            let i = r * c + j
            let v = k * FastMath.exp(lt.data[i]) * (lt.data[i] - ls.data[i] - rowKL[r])
            dst[i] = acc ? dst[i] + v : v
          }
        }
      }
    }
  }
  return out
}

/// Mean squared error between equal-shaped tensors (scalar).
public func mseLoss(_ a: Tensor, _ b: Tensor) throws -> Tensor {
  guard a.shape == b.shape else { throw TensorError.shapeMismatch(op: "mseLoss", lhs: a.shape, rhs: b.shape, detail: "") }
  return try (a - b).square().mean()
}
