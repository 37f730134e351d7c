// Shape ops: reshape (view), row slices (view), narrow along any axis, concatenation, 2-D transpose,
// embedding gather (with scatter-add backward).

extension Tensor {
  /// Same data, new shape (a view; one dimension may be -1). Gradients flow back unchanged.
  public func reshaped(_ newShape: [Int]) throws -> Tensor {
    var s = newShape
    let neg = s.indices.filter { s[$0] == -1 }
    if neg.count == 1 {
      let known = shapeCount(s.enumerated().filter { $0.offset != neg[0] }.map { $0.element })
      if known > 0 && count % known == 0 { s[neg[0]] = count / known }
    }
    guard shapeCount(s) == count, s.allSatisfy({ $0 >= 0 }), neg.count <= 1 else {
      throw TensorError.shapeMismatch(op: "reshape", lhs: shape, rhs: newShape, detail: "element counts differ")
    }
    let out = Tensor(view: storage, offset: offset, shape: s)
    if needsGrad(self) {
      out.record("reshape", [self]) { g in self.accumulateGrad(g, owned: false) }
    }
    return out
  }

  /// Rows r of the first axis (a view sharing storage).
  public func rows(_ r: Range<Int>) throws -> Tensor {
    guard rank >= 1, r.lowerBound >= 0, r.upperBound <= shape[0] else {
      throw TensorError.indexOutOfRange(op: "rows", index: r.upperBound, bound: shape.first ?? 0)
    }
    let inner = shape[0] == 0 ? 0 : count / shape[0]
    var s = shape
    s[0] = r.count
    let out = Tensor(view: storage, offset: offset + r.lowerBound * inner, shape: s)
    if needsGrad(self) {
      let n = count, lo = r.lowerBound * inner, len = r.count * inner
      out.record("rows", [self]) { g in
        self.withGradBuffer { dst, acc in
          if !acc { dst.initialize(repeating: 0, count: n) }
          let gp = g.data, d = dst + lo
          for i in 0..<len { d[i] += gp[i] }
        }
      }
    }
    return out
  }

  /// Elements start..<start+length along `axis` (a copy).
  public func narrow(axis: Int, start: Int, length: Int) throws -> Tensor {
    let a = try normalizedAxis(axis, op: "narrow")
    guard start >= 0, length >= 0, start + length <= shape[a] else {
      throw TensorError.indexOutOfRange(op: "narrow(axis \(a), \(start)..<\(start + length))", index: start + length, bound: shape[a])
    }
    let (outer, d, inner) = axisSplit(a)
    var s = shape
    s[a] = length
    let out = Tensor(uninitialized: s)
    let chunk = length * inner
    for i in 0..<outer { (out.data + i * chunk).update(from: data + (i * d + start) * inner, count: chunk) }
    if needsGrad(self) {
      let n = count
      out.record("narrow", [self]) { g in
        self.withGradBuffer { dst, acc in
          if !acc { dst.initialize(repeating: 0, count: n) }
          for i in 0..<outer {
            let gp = g.data + i * chunk, dp = dst + (i * d + start) * inner
            for j in 0..<chunk { dp[j] += gp[j] }
          }
        }
      }
    }
    return out
  }

  /// Split the last axis into pieces of the given sizes.
  public func split(lastAxis sizes: [Int]) throws -> [Tensor] {
    guard sizes.reduce(0, +) == lastDim else {
      throw TensorError.shapeMismatch(op: "split", lhs: shape, rhs: sizes, detail: "sizes must sum to the last dim")
    }
    var start = 0
    return try sizes.map { n in defer { start += n }; return try narrow(axis: -1, start: start, length: n) }
  }

  /// 2-D transpose (a copy).
  public func transposed() throws -> Tensor {
    guard rank == 2 else { throw TensorError.invalidArgument(op: "transposed", message: "needs 2-D, got \(shape)") }
    let (r, c) = (shape[0], shape[1])
    let out = Tensor(uninitialized: [c, r])
    let p = data, o = out.data
    for i in 0..<r { for j in 0..<c { o[j * r + i] = p[i * c + j] } }
    if needsGrad(self) {
      out.record("transpose", [self]) { g in
        self.withGradBuffer { dst, acc in
          let gp = g.data
          for i in 0..<r { for j in 0..<c { dst[i * c + j] = (acc ? dst[i * c + j] : 0) + gp[j * r + i] } }
        }
      }
    }
    return out
  }
}

/// Concatenate along `axis`; all other dimensions must match.
public func concat(_ ts: [Tensor], axis: Int = 0) throws -> Tensor {
  guard let first = ts.first else { throw TensorError.invalidArgument(op: "concat", message: "no tensors") }
  let a = try first.normalizedAxis(axis, op: "concat")
  for t in ts.dropFirst() {
    var s1 = first.shape, s2 = t.shape
    guard s1.count == s2.count else {
      throw TensorError.shapeMismatch(op: "concat", lhs: first.shape, rhs: t.shape, detail: "ranks differ")
    }
    s1[a] = 0; s2[a] = 0
    guard s1 == s2 else {
      throw TensorError.shapeMismatch(op: "concat(axis \(a))", lhs: first.shape, rhs: t.shape, detail: "")
    }
  }
  let outer = shapeCount(Array(first.shape[..<a])), inner = shapeCount(Array(first.shape[(a + 1)...]))
  let total = ts.reduce(0) { $0 + $1.shape[a] }
  var s = first.shape
  s[a] = total
  let out = Tensor(uninitialized: s)
  let rowLen = total * inner
  var off = 0
  var offsets: [Int] = []
  for t in ts {
    offsets.append(off)
    let chunk = t.shape[a] * inner
    for i in 0..<outer { (out.data + i * rowLen + off).update(from: t.data + i * chunk, count: chunk) }
    off += chunk
  }
  if needsGrad(ts) {
    out.record("concat", ts) { g in
      for (t, o) in zip(ts, offsets) {
        let chunk = t.shape[a] * inner
        t.withGradBuffer { dst, acc in
          for i in 0..<outer {
            let gp = g.data + i * rowLen + o, dp = dst + i * chunk
            if acc { for j in 0..<chunk { dp[j] += gp[j] } } else { dp.update(from: gp, count: chunk) }
          }
        }
      }
    }
  }
  return out
}

/// Rows of `table` [V, D] selected by `ids` → [ids.count, D]. Backward scatter-adds into the table gradient.
public func embedding(_ table: Tensor, ids: [Int]) throws -> Tensor {
  guard table.rank == 2 else { throw TensorError.invalidArgument(op: "embedding", message: "table must be [V, D], got \(table.shape)") }
  let v = table.shape[0], d = table.shape[1]
  for i in ids where i < 0 || i >= v { throw TensorError.indexOutOfRange(op: "embedding", index: i, bound: v) }
  let out = Tensor(uninitialized: [ids.count, d])
  for (r, i) in ids.enumerated() { (out.data + r * d).update(from: table.data + i * d, count: d) }
  if needsGrad(table) {
    let n = table.count
    out.record("embedding", [table]) { g in
      table.withGradBuffer { dst, acc in
        if !acc { dst.initialize(repeating: 0, count: n) }
        for (r, i) in ids.enumerated() {
          let gp = g.data + r * d, dp = dst + i * d
          for j in 0..<d { dp[j] += gp[j] }
        }
      }
    }
  }
  return out
}
