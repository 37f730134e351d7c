import XCTest
@testable import RL
import TensorCore

/// The world model's one-step prediction (GRU → head with the skip input, plus the entity path with running
/// means) is wired from TensorCore ops whose gradients are checked one by one in TensorCoreTests; this checks the
/// wiring as a whole (including the continue and mask outputs): autograd gradients of L = Σ out ⊙ R with respect to every parameter tensor (GRU, head,
/// shared entity MLP) against central finite differences of the same forward pass.
final class WorldModelGradientTests: XCTestCase {
  func testOneStepPredictionGradientMatchesFiniteDifferences() throws {
    var cfg = WorldModelConfig()
    cfg.hidden = 6; cfg.headHidden = 5
    cfg.entities = 3; cfg.entityFeatures = 4; cfg.entityHidden = 5; cfg.entityMeans = true
    let obsDim = 3 * 4 + 2, nvec = [3, 3, 3], costDim = 2, batch = 2
    var rng = RNG(seed: 7)
    let wm = WorldModel(obsDim: obsDim, nvec: nvec, costDim: costDim, maskDim: 9, config: cfg, rng: &rng)
    XCTAssertNotNil(wm.entityNet)
    var g = RNG(seed: 9)
    let sym = (0..<(batch * obsDim)).map { _ in Float(g.normal()) }
    let actions = [0, 2, 1, 1, 1, 0]
    var means = [Float](repeating: 0, count: batch * wm.meanWidth)
    wm.advanceMeans(&means, sym: sym[...], batch: batch)                          // one observation seen
    wm.advanceMeans(&means, sym: sym.map { $0 * 0.5 }[...], batch: batch)        // a second, different one
    let x = Tensor(shape: [batch, obsDim + wm.actionWidth], wm.input(sym: sym[...], actions: actions[...], batch: batch))
    let h0 = Tensor(shape: [batch, cfg.hidden], (0..<(batch * cfg.hidden)).map { _ in Float(g.normal()) * 0.5 })
    let outWidth = obsDim + 1 + costDim + 1 + 9   // Δobs, reward, costs, continue, next mask
    XCTAssertEqual(wm.outWidth, outWidth)
    let r = (0..<(batch * outWidth)).map { _ in Double(g.normal()) }

    func forward() throws -> Tensor {
      let h = try wm.gru(x, h0)
      return try wm.predict(h: h, x: x, entity: wm.entityInput(sym: sym[...], actions: actions[...], batch: batch, means: means))
    }
    func L() throws -> Double { zip(try forward().toArray(), r).reduce(0) { $0 + Double($1.0) * $1.1 } }

    let params = wm.namedParameters()
    XCTAssertTrue(params.contains { $0.0.hasPrefix("entity") } && params.contains { $0.0.hasPrefix("head") }
                  && params.contains { $0.0.hasPrefix("gru") }, "\(params.map(\.0))")
    for (_, p) in params { p.grad = nil }
    let out = try forward()
    XCTAssertEqual(out.shape, [batch, outWidth])
    try (out * Tensor(shape: out.shape, r.map(Float.init))).sum().backward()

    var checked = 0
    for (name, p) in params {
      let grad = try XCTUnwrap(p.grad?.toArray(), "\(name) got no gradient")
      XCTAssertTrue(grad.contains { $0 != 0 }, "\(name): gradient is all zero")
      // Every element of small tensors; a spread of elements of larger ones.
      let stride = max(1, p.count / 12)
      for j in Swift.stride(from: 0, to: p.count, by: stride) {
        let v = p.data[j], h: Float = 1e-2
        p.data[j] = v + h; let lp = try L()
        p.data[j] = v - h; let lm = try L()
        p.data[j] = v
        let fd = (lp - lm) / Double(2 * h)
        XCTAssertEqual(Double(grad[j]), fd, accuracy: 2e-3 * (1 + abs(fd)), "\(name)[\(j)]")
        checked += 1
      }
    }
    XCTAssertGreaterThan(checked, 60)
  }
}
