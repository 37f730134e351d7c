// Reductions: sum / mean over everything or along one axis, max along an axis (gradient to the arg-max),
// argmax (no gradient). An axis may be negative (counted from the end). Reducing an axis removes it unless
// keepDim is set (kept as size 1, handy for per-row broadcasting).

extension Tensor {
  func normalizedAxis(_ axis: Int, op: String) throws -> Int {
    let a = axis < 0 ? axis + rank : axis
    guard a >= 0 && a < rank else { throw TensorError.indexOutOfRange(op: op + " axis", index: axis, bound: rank) }
    return a
  }
  /// (outer, dim, inner) sizes for an axis.
  func axisSplit(_ a: Int) -> (Int, Int, Int) {
    let outer = shapeCount(Array(shape[..<a])), inner = shapeCount(Array(shape[(a + 1)...]))
    return (outer, shape[a], inner)
  }
  func reducedShape(_ a: Int, keepDim: Bool) -> [Int] {
    var s = shape
    if keepDim { s[a] = 1 } else { s.remove(at: a) }
    return s
  }

  /// Sum of all elements (shape []).
  public func sum() -> Tensor {
    let out = Tensor(uninitialized: [])
    var s: Float = 0
    let p = data, n = count
    for i in 0..<n { s += p[i] }
    out.data[0] = s
    if needsGrad(self) {
      out.record("sum", [self]) { g in
        let gv = g.data[0]
        self.withGradBuffer { dst, acc in
          if acc { for i in 0..<n { dst[i] += gv } } else { dst.initialize(repeating: gv, count: n) }
        }
      }
    }
    return out
  }

  /// Mean of all elements (shape []).
  public func mean() -> Tensor { sum().affine(scale: 1 / Float(Swift.max(count, 1))) }

  /// Sum along `axis`.
  public func sum(axis: Int, keepDim: Bool = false) throws -> Tensor {
    let a = try normalizedAxis(axis, op: "sum")
    let (outer, d, inner) = axisSplit(a)
    let out = Tensor(zeros: reducedShape(a, keepDim: keepDim))
    let p = data, o = out.data
    for i in 0..<outer {
      let oo = o + i * inner
      for j in 0..<d { let pp = p + (i * d + j) * inner; for k in 0..<inner { oo[k] += pp[k] } }
    }
    if needsGrad(self) {
      out.record("sum(axis)", [self]) { g in
        self.withGradBuffer { dst, acc in
          let gp = g.data
          for i in 0..<outer {
            let gg = gp + i * inner
            for j in 0..<d {
              let dd = dst + (i * d + j) * inner
              if acc { for k in 0..<inner { dd[k] += gg[k] } } else { for k in 0..<inner { dd[k] = gg[k] } }
            }
          }
        }
      }
    }
    return out
  }

  /// Mean along `axis`.
  public func mean(axis: Int, keepDim: Bool = false) throws -> Tensor {
    let a = try normalizedAxis(axis, op: "mean")
    return try sum(axis: a, keepDim: keepDim).affine(scale: 1 / Float(Swift.max(shape[a], 1)))
  }

  /// Maximum along `axis`; the gradient goes to the (first) arg-max.
  public func max(axis: Int, keepDim: Bool = false) throws -> Tensor {
    let a = try normalizedAxis(axis, op: "max")
    let (outer, d, inner) = axisSplit(a)
    guard d > 0 else { throw TensorError.invalidArgument(op: "max", message: "empty axis \(axis) in \(shape)") }
    let out = Tensor(uninitialized: reducedShape(a, keepDim: keepDim))
    let idx = argmaxRaw(outer, d, inner)
    let p = data, o = out.data
    for i in 0..<outer { for k in 0..<inner { o[i * inner + k] = p[(i * d + idx[i * inner + k]) * inner + k] } }
    if needsGrad(self) {
      let n = count
      out.record("max(axis)", [self]) { g in
        self.withGradBuffer { dst, acc in
          if !acc { dst.initialize(repeating: 0, count: n) }
          let gp = g.data
          for i in 0..<outer { for k in 0..<inner { dst[(i * d + idx[i * inner + k]) * inner + k] += gp[i * inner + k] } }
        }
      }
    }
    return out
  }

  func argmaxRaw(_ outer: Int, _ d: Int, _ inner: Int) -> [Int] {
    var idx = [Int](repeating: 0, count: outer * inner)
    let p = data
    for i in 0..<outer {
      for k in 0..<inner {
        var best = p[i * d * inner + k], bi = 0
        for j in 1..<Swift.max(d, 1) {
          let v = p[(i * d + j) * inner + k]
          if v > best || (best.isNaN && !v.isNaN) { best = v; bi = j }
        }
        idx[i * inner + k] = bi
      }
    }
    return idx
  }

  /// Index of the maximum along `axis` (first one on ties), flattened in the reduced shape's row-major order.
  public func argmax(axis: Int = -1) throws -> [Int] {
    let a = try normalizedAxis(axis, op: "argmax")
    let (outer, d, inner) = axisSplit(a)
    guard d > 0 else { throw TensorError.invalidArgument(op: "argmax", message: "empty axis \(axis) in \(shape)") }
    return argmaxRaw(outer, d, inner)
  }
}
