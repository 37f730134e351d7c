import XCTest
import Foundation
@testable import TensorCore

final class ShapeNormAttentionTests: XCTestCase {
  func testShapeOps() throws {
    let a = Tensor(shape: [2, 3], [1, 2, 3, 4, 5, 6])
    XCTAssertEqual(try a.reshaped([3, -1]).shape, [3, 2])
    XCTAssertEqual(try a.rows(1..<2).toArray(), [4, 5, 6])
    XCTAssertEqual(try a.narrow(axis: 1, start: 1, length: 2).toArray(), [2, 3, 5, 6])
    XCTAssertEqual(try concat([a, a], axis: 1).toArray(), [1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6])
    XCTAssertEqual(try concat([a, a], axis: 0).shape, [4, 3])
    XCTAssertEqual(try a.transposed().toArray(), [1, 4, 2, 5, 3, 6])
    XCTAssertEqual(try embedding(a, ids: [1, 1, 0]).toArray(), [4, 5, 6, 4, 5, 6, 1, 2, 3])
    XCTAssertThrowsError(try embedding(a, ids: [2])) { XCTAssertTrue("\($0)".contains("embedding: index 2 out of range 0..<2")) }
    XCTAssertThrowsError(try a.reshaped([4]))
    XCTAssertThrowsError(try a.rows(1..<3))
    XCTAssertThrowsError(try concat([a, Tensor.zeros([2, 2])], axis: 0)) { XCTAssertTrue("\($0)".contains("[2, 3] vs [2, 2]")) }

    func reshapeRef(_ x: [[Double]]) -> [Double] { x[0] }
    func rowsRef(_ x: [[Double]]) -> [Double] { Array(x[0][4..<12]) }
    func narrowRef(_ x: [[Double]]) -> [Double] {
      var o: [Double] = []
      for r in 0..<3 { o += x[0][(r * 4 + 1)..<(r * 4 + 3)] }
      return o
    }
    func concatRef(_ x: [[Double]]) -> [Double] {
      var o: [Double] = []
      for r in 0..<3 { o += x[0][(r * 4)..<(r * 4 + 4)]; o += x[1][(r * 2)..<(r * 2 + 2)] }
      return o
    }
    func transRef(_ x: [[Double]]) -> [Double] { (0..<12).map { x[0][($0 % 3) * 4 + $0 / 3] } }
    let ids = [2, 0, 2, 1]
    func embRef(_ x: [[Double]]) -> [Double] { ids.flatMap { x[0][($0 * 4)..<($0 * 4 + 4)] } }
    try gradCheck("reshape", shapes: [[3, 4]], op: { try $0[0].reshaped([2, 6]).square() }, ref: { reshapeRef($0).map { $0 * $0 } })
    try gradCheck("rows", shapes: [[4, 4]], op: { try $0[0].rows(1..<3) }, ref: rowsRef)
    try gradCheck("narrow", shapes: [[3, 4]], op: { try $0[0].narrow(axis: 1, start: 1, length: 2) }, ref: narrowRef)
    try gradCheck("concat", shapes: [[3, 4], [3, 2]], op: { try concat($0, axis: 1) }, ref: concatRef)
    try gradCheck("transpose", shapes: [[3, 4]], op: { try $0[0].transposed() }, ref: transRef)
    try gradCheck("embedding", shapes: [[3, 4]], op: { try embedding($0[0], ids: ids) }, ref: embRef)
  }

  func testNorms() throws {
    // Hand value: RMSNorm([3, 4]) = [3, 4] / sqrt(12.5) = [0.8485281, 1.1313709]
    assertClose(try rmsNorm(Tensor(shape: [1, 2], [3, 4]), weight: nil, eps: 0).toArray(), [0.8485281, 1.1313709])
    assertClose(try layerNorm(Tensor(shape: [1, 2], [3, 5]), weight: nil, bias: nil, eps: 0).toArray(), [-1, 1])
    let d = 6, eps = 1e-5
    func rmsRef(_ x: [[Double]]) -> [Double] {
      var o = x[0]
      for r in 0..<3 {
        let row = x[0][(r * d)..<(r * d + d)]
        let ri = 1 / (row.reduce(0) { $0 + $1 * $1 } / Double(d) + eps).squareRoot()
        for j in 0..<d { o[r * d + j] = x[0][r * d + j] * ri * x[1][j] }
      }
      return o
    }
    func lnRef(_ x: [[Double]]) -> [Double] {
      var o = x[0]
      for r in 0..<3 {
        let row = Array(x[0][(r * d)..<(r * d + d)])
        let mu = row.reduce(0, +) / Double(d)
        let v = row.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / Double(d)
        for j in 0..<d { o[r * d + j] = (row[j] - mu) / (v + eps).squareRoot() * x[1][j] + x[2][j] }
      }
      return o
    }
    try gradCheck("rmsNorm", shapes: [[3, d], [d]], op: { try rmsNorm($0[0], weight: $0[1], eps: Float(eps)) }, ref: rmsRef)
    try gradCheck("layerNorm", shapes: [[3, d], [d], [d]],
                  op: { try layerNorm($0[0], weight: $0[1], bias: $0[2], eps: Float(eps)) }, ref: lnRef)
  }

  func ropeRef(_ x: [Double], heads: Int, dh: Int, positions: [Int], theta: Double, adjacent: Bool) -> [Double] {
    var o = x
    let width = heads * dh, half = dh / 2
    for (r, pos) in positions.enumerated() {
      for h in 0..<heads {
        for i in 0..<half {
          let a = Double(pos) * Foundation.pow(theta, -Double(2 * i) / Double(dh))
          let j0 = r * width + h * dh + (adjacent ? 2 * i : i), j1 = j0 + (adjacent ? 1 : half)
          o[j0] = x[j0] * cos(a) - x[j1] * sin(a)
          o[j1] = x[j0] * sin(a) + x[j1] * cos(a)
        }
      }
    }
    return o
  }

  func testRope() throws {
    // Hand value: position 1, one head of dim 2, x = (1, 0) → (cos 1, sin 1).
    assertClose(try rope(Tensor(shape: [1, 2], [1, 0]), heads: 1, positions: [1]).toArray(), [0.5403023, 0.84147098])
    let heads = 2, dh = 8, pos = [0, 3, 7, 11]
    for style in [RopeStyle.adjacentPairs, .halfSplit] {
      try gradCheck("rope \(style)", shapes: [[4, heads * dh]],
                    op: { try rope($0[0], heads: heads, positions: pos, theta: 100, style: style) },
                    ref: { self.ropeRef($0[0], heads: heads, dh: dh, positions: pos, theta: 100, adjacent: style == .adjacentPairs) })
    }
    // The two conventions agree up to the per-head permutation (2i, 2i+1) ↔ (i, i + Dh/2).
    var rng = RNG(seed: 9)
    let x = Tensor.randn([4, heads * dh], rng: &rng)
    func perm(_ t: Tensor) -> Tensor {
      let o = Tensor(uninitialized: t.shape)
      for r in 0..<4 { for h in 0..<heads { for i in 0..<(dh / 2) {
        o[r, h * dh + i] = t[r, h * dh + 2 * i]; o[r, h * dh + i + dh / 2] = t[r, h * dh + 2 * i + 1]
      } } }
      return o
    }
    let a = perm(try rope(x, heads: heads, positions: pos, style: .adjacentPairs))
    let b = try rope(perm(x), heads: heads, positions: pos, style: .halfSplit)
    assertClose(a.toArray(), b.toArray(), tol: 1e-6)
    XCTAssertThrowsError(try rope(x, heads: 3, positions: pos))
  }

  func attentionRef(_ q: [Double], _ k: [Double], _ v: [Double], b: Int, t: Int, s: Int, hq: Int, hkv: Int, dh: Int,
                    causal: Bool) -> [Double] {
    var o = [Double](repeating: 0, count: b * t * hq * dh)
    let ldq = hq * dh, ldk = hkv * dh, scale = 1 / Double(dh).squareRoot()
    for bb in 0..<b { for h in 0..<hq {
      let g = h / (hq / hkv)
      for i in 0..<t {
        let valid = causal ? s - t + i + 1 : s
        var sc = [Double](repeating: 0, count: valid)
        for j in 0..<valid {
          var dot = 0.0
          for d in 0..<dh { dot += q[(bb * t + i) * ldq + h * dh + d] * k[(bb * s + j) * ldk + g * dh + d] }
          sc[j] = dot * scale
        }
        let m = sc.max()!
        let e = sc.map { Foundation.exp($0 - m) }
        let z = e.reduce(0, +)
        for j in 0..<valid { for d in 0..<dh { o[(bb * t + i) * ldq + h * dh + d] += e[j] / z * v[(bb * s + j) * ldk + g * dh + d] } }
      }
    } }
    return o
  }

  func testGQAAttention() throws {
    let (b, dh) = (2, 4)
    for (t, s, hq, hkv, causal) in [(3, 3, 4, 2, true), (2, 5, 3, 1, true), (3, 4, 2, 2, false), (4, 4, 6, 3, true)] {
      try gradCheck("attention t\(t) s\(s) hq\(hq) hkv\(hkv) causal=\(causal)",
                    shapes: [[b * t, hq * dh], [b * s, hkv * dh], [b * s, hkv * dh]],
                    op: { try causalAttention(q: $0[0], k: $0[1], v: $0[2], batch: b, heads: hq, kvHeads: hkv, causal: causal) },
                    ref: { self.attentionRef($0[0], $0[1], $0[2], b: b, t: t, s: s, hq: hq, hkv: hkv, dh: dh, causal: causal) })
    }
    // Hand case: one query at position 1 over keys with equal scores ⇒ the mean of the two values.
    let q = Tensor(shape: [1, 2], [0, 0]), k = Tensor(shape: [2, 2], [1, 2, 3, 4]), v = Tensor(shape: [2, 2], [1, 10, 3, 20])
    assertClose(try causalAttention(q: q, k: k, v: v, batch: 1, heads: 1, kvHeads: 1).toArray(), [2, 15])
    XCTAssertThrowsError(try causalAttention(q: Tensor.zeros([2, 12]), k: Tensor.zeros([2, 8]), v: Tensor.zeros([2, 8]),
                                             batch: 1, heads: 3, kvHeads: 2))
  }
}
