import XCTest
import Foundation
@testable import TensorCore

final class TrainingTests: XCTestCase {
  func testMLPLearnsXOR() throws {
    var rng = RNG(seed: 3)
    let mlp = MLP([2, 16, 1], activation: .tanh, rng: &rng, hiddenInit: .orthogonal(gain: 2.0.squareRoot().f),
                  outputInit: .orthogonal(gain: 1))
    let opt = Adam(mlp.parameters(), lr: 0.05)
    let x = Tensor(shape: [4, 2], [0, 0, 0, 1, 1, 0, 1, 1])
    let y = Tensor(shape: [4, 1], [0, 1, 1, 0])
    var last: Float = 1
    for step in 0..<300 {
      opt.zeroGrad()
      let loss = try mseLoss(try mlp(x), y)
      try loss.checkFinite(op: "xor.loss", step: step)
      last = loss.item
      loss.backward()
      opt.step()
    }
    XCTAssertLessThan(last, 0.01)
    let pred = try noGrad { try mlp(x) }.toArray()
    for (p, t) in zip(pred, [Float(0), 1, 1, 0]) { XCTAssertEqual(p, t, accuracy: 0.2) }
  }

  func testAdamMatchesHandComputedStep() throws {
    // One parameter p = [1, -2], gradient g = [0.5, 0.1] (from loss 0.5·p·[1, -0.05]... we set grad directly).
    let p = Tensor(shape: [2], [1, -2], requiresGrad: true)
    let opt = Adam([p], lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8)
    p.grad = Tensor(shape: [2], [0.5, 0.1])
    opt.step()
    // Step 1: m = 0.1g, v = 0.001g², m̂ = g, v̂ = g² ⇒ p -= 0.1·g/(|g|+1e-8) = ∓0.1 (sign of g).
    assertClose(p.toArray(), [0.9, -2.1], tol: 1e-6)
    p.grad = Tensor(shape: [2], [-0.2, 0.3])
    opt.step()
    // Step 2 by hand (Double): m = 0.9·m1 + 0.1·g2, v = 0.999·v1 + 0.001·g2²; m̂ = m/0.19, v̂ = v/0.001999.
    func ref(_ g1: Double, _ g2: Double, _ p1: Double) -> Double {
      let m = 0.9 * 0.1 * g1 + 0.1 * g2, v = 0.999 * 0.001 * g1 * g1 + 0.001 * g2 * g2
      return p1 - 0.1 * (m / 0.19) / ((v / (1 - 0.999 * 0.999)).squareRoot() + 1e-8)
    }
    assertClose(p.toArray(), [Float(ref(0.5, -0.2, 0.9)), Float(ref(0.1, 0.3, -2.1))], tol: 1e-6)
    // AdamW decoupled decay: p ← p(1 − lr·wd) − step.
    let q = Tensor(shape: [1], [2], requiresGrad: true)
    let w = Adam.adamW([q], lr: 0.1, weightDecay: 0.5)
    q.grad = Tensor(shape: [1], [1])
    w.step()
    XCTAssertEqual(q[0], 2 * (1 - 0.05) - 0.1, accuracy: 1e-6)
  }

  func testSGDMomentumAndClipping() throws {
    let p = Tensor(shape: [1], [1], requiresGrad: true)
    let opt = SGD([p], lr: 0.1, momentum: 0.9)
    p.grad = Tensor(shape: [1], [1]); opt.step()      // buf = 1, p = 0.9
    p.grad = Tensor(shape: [1], [1]); opt.step()      // buf = 1.9, p = 0.71
    XCTAssertEqual(p[0], 0.71, accuracy: 1e-6)
    let a = Tensor(shape: [2], [0, 0], requiresGrad: true), b = Tensor(shape: [1], [0], requiresGrad: true)
    a.grad = Tensor(shape: [2], [3, 0]); b.grad = Tensor(shape: [1], [4])
    let n = clipGradNorm([a, b], maxNorm: 1)
    XCTAssertEqual(n, 5, accuracy: 1e-6)
    XCTAssertEqual(a.grad![0], 0.6, accuracy: 1e-5)
    XCTAssertEqual(b.grad![0], 0.8, accuracy: 1e-5)
  }

  func testInitialisers() throws {
    var rng = RNG(seed: 11)
    for shape in [[8, 5], [5, 8], [6, 6]] {
      let w = Init.orthogonal(gain: 2).tensor(shape, rng: &rng)
      let (r, c) = (shape[0], shape[1])
      // rows ≤ cols ⇒ W·Wᵀ = gain²·I ; rows > cols ⇒ Wᵀ·W = gain²·I
      let g = r <= c ? try matmul(w, w, transB: true) : try matmul(w, w, transA: true)
      let d = min(r, c)
      for i in 0..<d { for j in 0..<d { XCTAssertEqual(g[i, j], i == j ? 4 : 0, accuracy: 1e-4) } }
    }
    let x = Init.xavierUniform().tensor([200, 300], rng: &rng).toArray()
    let bound = Float(6.0 / 500).squareRoot()
    XCTAssertTrue(x.allSatisfy { abs($0) <= bound })
    let var_ = x.reduce(0) { $0 + $1 * $1 } / Float(x.count)
    XCTAssertEqual(var_, bound * bound / 3, accuracy: bound * bound / 30)
    let k = Init.kaimingNormal().tensor([400, 100], rng: &rng).toArray()
    XCTAssertEqual(k.reduce(0) { $0 + $1 * $1 } / Float(k.count), 2.0 / 100, accuracy: 0.002)
    // Same seed ⇒ same weights.
    var r1 = RNG(seed: 5), r2 = RNG(seed: 5)
    XCTAssertEqual(MLP([3, 4, 2], rng: &r1).layers[0].weight.toArray(), MLP([3, 4, 2], rng: &r2).layers[0].weight.toArray())
  }
}

extension Double { var f: Float { Float(self) } }

final class CheckpointTests: XCTestCase {
  /// Training 6 steps straight equals 3 steps, save (params + Adam state), load into fresh objects, 3 more.
  func testAdamResumeIsExact() throws {
    func makeNet() -> MLP { var r = RNG(seed: 2); return MLP([3, 8, 1], rng: &r) }
    var rng = RNG(seed: 1)
    let x = Tensor.randn([16, 3], rng: &rng), y = Tensor.randn([16, 1], rng: &rng)
    func train(_ net: MLP, _ opt: Adam, _ n: Int) throws {
      for _ in 0..<n { opt.zeroGrad(); try mseLoss(try net(x), y).backward(); opt.step() }
    }
    let a = makeNet(), optA = Adam(a.parameters(), lr: 0.01)
    try train(a, optA, 6)
    let b = makeNet(), optB = Adam(b.parameters(), lr: 0.01)
    try train(b, optB, 3)
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("edgelab-ckpt-\(getpid()).safetensors")
    defer { try? FileManager.default.removeItem(at: url) }
    let store = try ParameterStore(b, prefix: "net")
    try Safetensors.write(store.namedParameters() + optB.stateTensors(), to: url)
    let c = makeNet(), optC = Adam(c.parameters(), lr: 0.01)
    let (saved, _) = try Safetensors.read(url)
    try ParameterStore(c, prefix: "net").load(from: saved, strict: true)
    try optC.loadState(saved)
    XCTAssertEqual(optC.stepCount, 3)
    try train(c, optC, 3)
    XCTAssertEqual(c.layers[0].weight.toArray(), a.layers[0].weight.toArray())
    XCTAssertEqual(c.layers[1].bias!.toArray(), a.layers[1].bias!.toArray())
  }

  /// The Codable path (exportState/importState, used by RL checkpoints) resumes exactly too, step count included.
  func testAdamExportImportStateIsExact() throws {
    func makeNet() -> MLP { var r = RNG(seed: 2); return MLP([3, 8, 1], rng: &r) }
    var rng = RNG(seed: 1)
    let x = Tensor.randn([16, 3], rng: &rng), y = Tensor.randn([16, 1], rng: &rng)
    func train(_ net: MLP, _ opt: Adam, _ n: Int) throws {
      for _ in 0..<n { opt.zeroGrad(); try mseLoss(try net(x), y).backward(); opt.step() }
    }
    let a = makeNet(), optA = Adam(a.parameters(), lr: 0.01)
    try train(a, optA, 6)
    let b = makeNet(), optB = Adam(b.parameters(), lr: 0.01)
    try train(b, optB, 3)
    let json = try JSONEncoder().encode(optB.exportState())
    let c = makeNet(), optC = Adam(c.parameters(), lr: 0.01)
    for (p, q) in zip(c.parameters(), b.parameters()) { try p.assign(q) }
    try optC.importState(try JSONDecoder().decode(AdamState.self, from: json))
    XCTAssertEqual(optC.stepCount, 3)
    try train(c, optC, 3)
    XCTAssertEqual(optC.stepCount, optA.stepCount)
    XCTAssertEqual(c.layers[0].weight.toArray(), a.layers[0].weight.toArray())
    XCTAssertEqual(c.layers[1].bias!.toArray(), a.layers[1].bias!.toArray())
    var bad = optB.exportState()
    bad.m.removeLast()
    XCTAssertThrowsError(try optC.importState(bad))
  }
}
