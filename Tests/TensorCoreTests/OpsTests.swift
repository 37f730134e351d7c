import XCTest
import Foundation
@testable import TensorCore

final class OpsTests: XCTestCase {
  func testHandComputedForward() throws {
    let a = Tensor(shape: [2, 3], [1, 2, 3, 4, 5, 6])
    let b = Tensor(shape: [3, 2], [7, 8, 9, 10, 11, 12])
    XCTAssertEqual(try matmul(a, b).toArray(), [58, 64, 139, 154])
    XCTAssertEqual(try matmul(a, a, transB: true).toArray(), [14, 32, 32, 77])
    XCTAssertEqual(try matmul(a, a, transA: true).toArray(), [17, 22, 27, 22, 29, 36, 27, 36, 45])
    XCTAssertEqual(try (a + Tensor(shape: [3], [10, 20, 30])).toArray(), [11, 22, 33, 14, 25, 36])
    XCTAssertEqual(try (a * Tensor(shape: [2, 1], [2, -1])).toArray(), [2, 4, 6, -4, -5, -6])
    XCTAssertEqual(try (a - Tensor(scalar: 1)).toArray(), [0, 1, 2, 3, 4, 5])
    XCTAssertEqual(try a.sum(axis: 0).toArray(), [5, 7, 9])
    XCTAssertEqual(try a.mean(axis: 1).toArray(), [2, 5])
    XCTAssertEqual(a.sum().item, 21)
    XCTAssertEqual(try Tensor(shape: [2, 3], [1, 9, 3, 7, 5, 6]).max(axis: 1).toArray(), [9, 7])
    XCTAssertEqual(try Tensor(shape: [2, 3], [1, 9, 3, 7, 5, 6]).argmax(axis: 0), [1, 0, 1])
    // softmax([1,2,3]) = [0.09003057, 0.24472847, 0.66524096]
    assertClose(Tensor(shape: [3], [1, 2, 3]).softmax().toArray(), [0.09003057, 0.24472847, 0.66524096])
    // CE of logits [1,2,3] with target 2 = -log(0.66524096) = 0.40760596
    XCTAssertEqual(try crossEntropy(Tensor(shape: [1, 3], [1, 2, 3]), targets: [2]).item, 0.40760596, accuracy: 1e-6)
    XCTAssertEqual(Tensor(shape: [2], [0, 1]).tanh()[1], 0.7615942, accuracy: 1e-6)
    XCTAssertEqual(Tensor(shape: [2], [-1, 1]).relu().toArray(), [0, 1])
    XCTAssertEqual(Tensor(shape: [1], [1]).silu()[0], 0.7310586, accuracy: 1e-6)
    XCTAssertEqual(Tensor(shape: [1], [1]).gelu()[0], 0.8413447, accuracy: 1e-6)
    XCTAssertEqual(Tensor(shape: [1], [1]).gelu(.tanh)[0], 0.8411920, accuracy: 1e-6)
  }

  func testBroadcastingGradients() throws {
    let cases: [([Int], [Int])] = [([3, 4], [3, 4]), ([3, 4], [4]), ([3, 4], []), ([3, 4], [3, 1]), ([4], [2, 3, 4]),
                                   ([2, 3, 4], [3, 4]), ([3, 1], [3, 4])]
    for (sa, sb) in cases {
      let out = sa.count >= sb.count && shapeCount(sa) >= shapeCount(sb) ? sa : sb
      func idx(_ i: Int, _ s: [Int]) -> Int { bcastIndex(i, broadcastKind(s, to: out)!) }
      let n = shapeCount(out)
      typealias BinCase = (String, (Tensor, Tensor) throws -> Tensor, (Double, Double) -> Double)
      var bins: [BinCase] = []
      bins.append(("add", { try $0 + $1 }, { $0 + $1 }))
      bins.append(("sub", { try $0 - $1 }, { $0 - $1 }))
      bins.append(("mul", { try $0 * $1 }, { $0 * $1 }))
      bins.append(("div", { (a: Tensor, b: Tensor) throws -> Tensor in try a / (b.abs() + 1) },
                   { (a: Double, b: Double) -> Double in a / (Swift.abs(b) + 1) }))
      bins.append(("max", { try Tensor.maximum($0, $1) }, { Swift.max($0, $1) }))
      bins.append(("min", { try Tensor.minimum($0, $1) }, { Swift.min($0, $1) }))
      for (name, f, fd) in bins {
        let ref: ([[Double]]) -> [Double] = { x in (0..<n).map { fd(x[0][idx($0, sa)], x[1][idx($0, sb)]) } }
        try gradCheck("\(name) \(sa) \(sb)", shapes: [sa, sb], op: { try f($0[0], $0[1]) }, ref: ref)
      }
    }
  }

  func testUnaryGradients() throws {
    let s = [[3, 5]]
    let cases: [(String, (Tensor) -> Tensor, (Double) -> Double, Bool)] = [
      ("tanh", { $0.tanh() }, { Foundation.tanh($0) }, false),
      ("relu", { $0.relu() }, { max($0, 0) }, false),
      ("sigmoid", { $0.sigmoid() }, { 1 / (1 + Foundation.exp(-$0)) }, false),
      ("silu", { $0.silu() }, { $0 / (1 + Foundation.exp(-$0)) }, false),
      ("gelu", { $0.gelu() }, { 0.5 * $0 * (1 + Foundation.erf($0 / 2.0.squareRoot())) }, false),
      ("gelu_tanh", { $0.gelu(.tanh) }, { x in 0.5 * x * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x))) }, false),
      ("exp", { $0.exp() }, { Foundation.exp($0) }, false),
      ("log", { $0.log() }, { Foundation.log($0) }, true),
      ("sqrt", { $0.sqrt() }, { $0.squareRoot() }, true),
      ("square", { $0.square() }, { $0 * $0 }, false),
      ("neg", { -$0 }, { -$0 }, false),
      ("affine", { $0 * 3 + 1 }, { 3 * $0 + 1 }, false),
      ("rsub", { 2 - $0 }, { 2 - $0 }, false),
      ("clamp", { $0.clamped(min: -0.5, max: 0.5) }, { min(max($0, -0.5), 0.5) }, false),
      ("pow", { $0.pow(1.5) }, { Foundation.pow($0, 1.5) }, true),
    ]
    for (name, f, r, pos) in cases {
      try gradCheck(name, shapes: s, positive: pos, op: { f($0[0]) }, ref: { $0[0].map(r) })
    }
  }

  func testMatmulAndLinearGradients() throws {
    let (m, k, n) = (3, 4, 5)
    for ta in [false, true] {
      for tb in [false, true] {
        try gradCheck("matmul ta=\(ta) tb=\(tb)", shapes: [ta ? [k, m] : [m, k], tb ? [n, k] : [k, n]],
                      op: { try matmul($0[0], $0[1], transA: ta, transB: tb) },
                      ref: { refMatmul($0[0], $0[1], m: m, k: k, n: n, transA: ta, transB: tb) })
      }
    }
    try gradCheck("matmul [2,3,k]", shapes: [[2, 3, k], [k, n]], op: { try matmul($0[0], $0[1]) },
                  ref: { refMatmul($0[0], $0[1], m: 6, k: k, n: n, transA: false, transB: false) })
    for ta in [false, true] {
      for tb in [false, true] {
        try gradCheck("bmm ta=\(ta) tb=\(tb)", shapes: [ta ? [2, k, m] : [2, m, k], tb ? [2, n, k] : [2, k, n]],
                      op: { try bmm($0[0], $0[1], transA: ta, transB: tb) },
                      ref: { x in refBmm(x[0], x[1], 2, m, k, n, ta, tb) })
      }
    }
    func lin(_ x: [[Double]]) -> [Double] {
      var y = refMatmul(x[0], x[1], m: m, k: k, n: n, transA: false, transB: true)
      for i in 0..<(m * n) { y[i] += x[2][i % n] }
      return y
    }
    try gradCheck("linear", shapes: [[m, k], [n, k], [n]], op: { try linear($0[0], $0[1], bias: $0[2]) }, ref: lin)
  }

  func refBmm(_ a: [Double], _ b: [Double], _ bs: Int, _ m: Int, _ k: Int, _ n: Int, _ ta: Bool, _ tb: Bool) -> [Double] {
    var out: [Double] = []
    for i in 0..<bs {
      let aa = Array(a[(i * m * k)..<((i + 1) * m * k)]), bb = Array(b[(i * k * n)..<((i + 1) * k * n)])
      out += refMatmul(aa, bb, m: m, k: k, n: n, transA: ta, transB: tb)
    }
    return out
  }

  func testReductionGradients() throws {
    func total(_ x: [[Double]]) -> [Double] { [x[0].reduce(0, +)] }
    func avg(_ x: [[Double]]) -> [Double] { [x[0].reduce(0, +) / Double(x[0].count)] }
    // [2,3,4] reduced along axis 1 / axis 2
    func sumAxis1(_ x: [[Double]]) -> [Double] {
      var out = [Double](repeating: 0, count: 8)
      for i in 0..<2 { for j in 0..<3 { for k in 0..<4 { out[i * 4 + k] += x[0][i * 12 + j * 4 + k] } } }
      return out
    }
    func maxAxis1(_ x: [[Double]]) -> [Double] {
      var out = [Double](repeating: -.infinity, count: 8)
      for i in 0..<2 { for j in 0..<3 { for k in 0..<4 { out[i * 4 + k] = max(out[i * 4 + k], x[0][i * 12 + j * 4 + k]) } } }
      return out
    }
    func meanLast(_ x: [[Double]]) -> [Double] {
      var out = [Double](repeating: 0, count: 6)
      for r in 0..<6 { for k in 0..<4 { out[r] += x[0][r * 4 + k] / 4 } }
      return out
    }
    try gradCheck("sum", shapes: [[2, 3]], op: { $0[0].sum() }, ref: total)
    try gradCheck("mean", shapes: [[2, 3]], op: { $0[0].mean() }, ref: avg)
    try gradCheck("sum axis1", shapes: [[2, 3, 4]], op: { try $0[0].sum(axis: 1) }, ref: sumAxis1)
    try gradCheck("mean axis-1 keep", shapes: [[2, 3, 4]], op: { try $0[0].mean(axis: -1, keepDim: true) }, ref: meanLast)
    try gradCheck("max axis1", shapes: [[2, 3, 4]], op: { try $0[0].max(axis: 1) }, ref: maxAxis1)
  }

  func testSoftmaxFamilyAndLosses() throws {
    let c = 5
    func lsm(_ x: [[Double]]) -> [Double] { refLogSoftmax(x[0], c: c) }
    func sm(_ x: [[Double]]) -> [Double] { refLogSoftmax(x[0], c: c).map { Foundation.exp($0) } }
    let targets = [4, 0, 2]
    func ce(_ x: [[Double]]) -> [Double] {
      let lp = refLogSoftmax(x[0], c: c)
      var s = 0.0
      for r in 0..<3 { s -= lp[r * c + targets[r]] }
      return [s / 3]
    }
    func ceIgnore(_ x: [[Double]]) -> [Double] {
      let lp = refLogSoftmax(x[0], c: c)
      return [-(lp[1] + lp[2 * c + 3]) / 2]
    }
    try gradCheck("logSoftmax", shapes: [[3, c]], scale: 2, op: { $0[0].logSoftmax() }, ref: lsm)
    try gradCheck("softmax", shapes: [[3, c]], scale: 2, op: { $0[0].softmax() }, ref: sm)
    try gradCheck("crossEntropy", shapes: [[3, c]], scale: 2, op: { try crossEntropy($0[0], targets: targets) }, ref: ce)
    try gradCheck("crossEntropy ignore", shapes: [[3, c]],
                  op: { try crossEntropy($0[0], targets: [1, -100, 3], ignoreIndex: -100) }, ref: ceIgnore)
    for temp in [1.0, 2.5] {
      func kl(_ x: [[Double]]) -> [Double] {
        let ls = refLogSoftmax(x[0], c: c, invT: 1 / temp), lt = refLogSoftmax(x[1], c: c, invT: 1 / temp)
        var s = 0.0
        for i in 0..<(3 * c) { s += Foundation.exp(lt[i]) * (lt[i] - ls[i]) }
        return [temp * temp * s / 3]
      }
      try gradCheck("KL T=\(temp)", shapes: [[3, c], [3, c]], scale: 2,
                    op: { try klDivergence(student: $0[0], teacher: $0[1], temperature: Float(temp)) }, ref: kl)
    }
    func gather(_ x: [[Double]]) -> [Double] { [x[0][1], x[0][c + 4], x[0][2 * c]] }
    try gradCheck("gatherLast", shapes: [[3, c]], op: { try $0[0].gatherLast([1, 4, 0]) }, ref: gather)
    func mse(_ x: [[Double]]) -> [Double] {
      var s = 0.0
      for i in 0..<6 { s += (x[0][i] - x[1][i]) * (x[0][i] - x[1][i]) }
      return [s / 6]
    }
    try gradCheck("mse", shapes: [[2, 3], [2, 3]], op: { try mseLoss($0[0], $0[1]) }, ref: mse)
  }

  func testGradientsAccumulateAndNoGrad() throws {
    let x = Tensor(shape: [2], [1, 2], requiresGrad: true)
    let y = try (x * x).sum()                    // dy/dx = 2x
    y.backward()
    try (x * 3).sum().backward()                 // + 3
    XCTAssertEqual(x.grad!.toArray(), [5, 7])
    // x used twice in one graph
    x.zeroGrad()
    try (x * x + x).sum().backward()
    XCTAssertEqual(x.grad!.toArray(), [3, 5])
    let z = noGrad { x.tanh() }
    XCTAssertFalse(z.requiresGrad)
    XCTAssertTrue(x.tanh().requiresGrad)
  }

  func testErrorsAreClear() throws {
    let a = Tensor.zeros([2, 3]), b = Tensor.zeros([4, 5])
    XCTAssertThrowsError(try matmul(a, b)) { e in
      let d = "\(e)"
      XCTAssertTrue(d.contains("matmul") && d.contains("[2, 3]") && d.contains("[4, 5]"), d)
    }
    XCTAssertThrowsError(try a + Tensor.zeros([2])) { XCTAssertTrue("\($0)".contains("add: shape mismatch [2, 3] vs [2]")) }
    XCTAssertThrowsError(try a.argmax(axis: 2))
    XCTAssertThrowsError(try crossEntropy(a, targets: [0, 3]))
    XCTAssertThrowsError(try a.gatherLast([0]))
    XCTAssertThrowsError(try Tensor.make(shape: [2, 2], [1, 2, 3]))
    // NaN detection names the op and step, and (with anomaly mode) the first op that produced it.
    Anomaly.isEnabled = true
    Anomaly.reset()
    defer { Anomaly.isEnabled = false; Anomaly.reset() }
    let p = Tensor(shape: [2], [-1, 1], requiresGrad: true)
    let loss = p.log().sum()
    XCTAssertThrowsError(try loss.checkFinite(op: "loss", step: 7)) { e in
      let d = "\(e)"
      XCTAssertTrue(d.contains("loss") && d.contains("step 7") && d.contains("'log'"), d)
    }
  }
}
