import XCTest
@testable import TensorCore

/// Checks an op against an independent Double-precision reference: the forward values, and the autograd
/// gradient of L = Σ out ⊙ R (R random, fixed) against central finite differences of the reference L.
func gradCheck(_ name: String, shapes: [[Int]], seed: UInt64 = 1, positive: Bool = false, scale: Float = 1,
               fwdTol: Double = 2e-4, gradTol: Double = 2e-3,
               op: ([Tensor]) throws -> Tensor, ref: ([[Double]]) -> [Double],
               file: StaticString = #filePath, line: UInt = #line) throws {
  var rng = RNG(seed: seed)
  let inputs: [Tensor] = shapes.map { s in
    let t = positive ? Tensor.uniform(s, rng: &rng, low: 0.5, high: 2) : Tensor.randn(s, rng: &rng, std: scale)
    t.requiresGrad = true
    return t
  }
  let xs: [[Double]] = inputs.map { $0.toArray().map(Double.init) }
  let out = try op(inputs)
  let refOut = ref(xs)
  XCTAssertEqual(out.count, refOut.count, "\(name): output count", file: file, line: line)
  guard out.count == refOut.count else { return }
  let o = out.toArray()
  for i in 0..<o.count where abs(Double(o[i]) - refOut[i]) > fwdTol * (1 + abs(refOut[i])) {
    XCTFail("\(name): forward[\(i)] = \(o[i]), reference \(refOut[i])", file: file, line: line)
    return
  }
  let r = Tensor.randn(out.shape, rng: &rng)
  let rd = r.toArray().map(Double.init)
  let loss = try (out * r).sum()
  loss.backward()
  func L(_ v: [[Double]]) -> Double { zip(ref(v), rd).reduce(0) { $0 + $1.0 * $1.1 } }
  for (k, t) in inputs.enumerated() {
    guard let g = t.grad?.toArray() else { XCTFail("\(name): input \(k) got no gradient", file: file, line: line); continue }
    var worst = 0.0, at = -1, fdAt = 0.0
    for j in 0..<t.count {
      var xp = xs, xm = xs
      let h = 1e-6 * max(1, abs(xs[k][j]))
      xp[k][j] += h
      xm[k][j] -= h
      let fd = (L(xp) - L(xm)) / (2 * h)
      let err = abs(Double(g[j]) - fd) / (1 + abs(fd))
      if err > worst { worst = err; at = j; fdAt = fd }
    }
    XCTAssertLessThanOrEqual(worst, gradTol,
      "\(name): grad of input \(k) at \(at): autograd \(at >= 0 ? g[at] : 0) vs finite difference \(fdAt)",
      file: file, line: line)
  }
}

func assertClose(_ a: [Float], _ b: [Float], tol: Float = 1e-5, _ msg: String = "",
                 file: StaticString = #filePath, line: UInt = #line) {
  XCTAssertEqual(a.count, b.count, msg, file: file, line: line)
  for (i, (x, y)) in zip(a, b).enumerated() where abs(x - y) > tol * (1 + abs(y)) {
    XCTFail("\(msg) [\(i)]: \(x) vs \(y)", file: file, line: line)
    return
  }
}

// Double reference helpers.
func refMatmul(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int, transA: Bool, transB: Bool) -> [Double] {
  var c = [Double](repeating: 0, count: m * n)
  for i in 0..<m { for j in 0..<n {
    var s = 0.0
    for l in 0..<k { s += (transA ? a[l * m + i] : a[i * k + l]) * (transB ? b[j * k + l] : b[l * n + j]) }
    c[i * n + j] = s
  } }
  return c
}
func refLogSoftmax(_ x: [Double], c: Int, invT: Double = 1) -> [Double] {
  var y = x
  for r in 0..<(x.count / c) {
    let row = (0..<c).map { x[r * c + $0] * invT }
    let m = row.max()!
    let ls = Foundation.log(row.reduce(0) { $0 + Foundation.exp($1 - m) }) + m
    for j in 0..<c { y[r * c + j] = row[j] - ls }
  }
  return y
}
