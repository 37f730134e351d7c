import XCTest
@testable import RL
import TensorCore

final class PPOLossTests: XCTestCase {
  // Hand case (derivation in the comments). Row 0: p = [¼,½,¼], a = 1, old π = 0.4 → ratio 1.25 (> 1.2,
  // clipped and binding for A = +1 → no policy gradient). Row 1: mask [T,T,F], p = [½,½,0], a = 0,
  // ratio 1, A = −2 → gradient −A·ratio/B = 1 on log π.
  func testClippedLossAndGradientMatchHandCase() throws {
    let d = try MultiCategorical(nvec: [3])
    var c = PPOLossConfig()
    c.clip = 0.2; c.valueClip = 0.2; c.entropyCoef = 0.01; c.valueCoef = 0.5
    let logits: [Float] = [0, logf(2), 0, 0, 0, 0]
    let masks = [true, true, true, true, true, false]
    let out = try ppoLoss(dist: d, logits: logits, masks: masks, actions: [1, 0],
                          oldLogProbs: [logf(0.4), logf(0.5)], advantages: [1, -2], values: [1, 0],
                          oldValues: [0.5, 0], returns: [2, -1], config: c)
    XCTAssertEqual(out.policyLoss, 0.4, accuracy: 1e-6)           // −(1.2)/2 + (2)/2
    XCTAssertEqual(out.entropy, 0.866434, accuracy: 1e-5)         // (1.039721 + 0.693147)/2
    XCTAssertEqual(out.approxKL, 0.013428, accuracy: 1e-5)        // (0.25 − ln 1.25)/2
    XCTAssertEqual(out.clipFraction, 0.5)
    XCTAssertEqual(out.valueLoss, 0.6725, accuracy: 1e-6)         // ½·(1.69 + 1)/2
    XCTAssertEqual(out.total, 0.72758566, accuracy: 1e-5)
    let expected: [Float] = [-0.000433217, 0.000866435, -0.000433217, 0.5, -0.5, 0]
    for (g, e) in zip(out.dLogits, expected) { XCTAssertEqual(g, e, accuracy: 1e-6) }
    XCTAssertEqual(out.dValues[0], 0, accuracy: 1e-7)             // clipped value branch binding
    XCTAssertEqual(out.dValues[1], 0.25, accuracy: 1e-7)          // c_v·(v − R)/B
  }

  // Central finite differences on a random multi-discrete batch (Double-free: Float with a coarse step,
  // points chosen away from the clip boundaries).
  func testGradientMatchesFiniteDifferences() throws {
    let d = try MultiCategorical(nvec: [2, 3])
    var rng = RNG(seed: 11)
    let b = 6
    var logits = (0..<(b * 5)).map { _ in Float(rng.normal()) }
    var masks = [Bool](repeating: true, count: b * 5)
    masks[2 * 5 + 4] = false
    var actions: [Int] = []
    for _ in 0..<b { actions += [rng.int(below: 2), rng.int(below: 2)] }
    var old: [Float] = []
    for i in 0..<b {
      let (lp, _) = try d.logSoftmax(row: logits[i * 5..<(i + 1) * 5], mask: masks[i * 5..<(i + 1) * 5])
      // alternate: inside the clip range and far outside it
      let shift: Float = i % 3 == 0 ? 0.6 : (i % 3 == 1 ? -0.05 : 0.05)
      old.append(d.logProb(logp: lp, action: actions[i * 2..<(i + 1) * 2]) + shift)
    }
    let adv = (0..<b).map { i in Float(i % 2 == 0 ? 1.3 : -0.7) }
    var values = (0..<b).map { _ in Float(rng.normal()) }
    let oldV = values.enumerated().map { $0.element + ($0.offset % 2 == 0 ? 0.5 : 0.05) }
    let ret = (0..<b).map { _ in Float(rng.normal()) }
    var c = PPOLossConfig()
    c.entropyCoef = 0.05
    func loss() throws -> Float {
      try ppoLoss(dist: d, logits: logits, masks: masks, actions: actions, oldLogProbs: old, advantages: adv,
                  values: values, oldValues: oldV, returns: ret, config: c).total
    }
    let out = try ppoLoss(dist: d, logits: logits, masks: masks, actions: actions, oldLogProbs: old,
                          advantages: adv, values: values, oldValues: oldV, returns: ret, config: c)
    let h: Float = 1e-2
    for j in 0..<logits.count where masks[j] {
      let x = logits[j]
      logits[j] = x + h; let lp = try loss()
      logits[j] = x - h; let lm = try loss()
      logits[j] = x
      XCTAssertEqual(out.dLogits[j], (lp - lm) / (2 * h), accuracy: 2e-3, "logit \(j)")
    }
    for i in 0..<b {
      let x = values[i]
      values[i] = x + h; let lp = try loss()
      values[i] = x - h; let lm = try loss()
      values[i] = x
      XCTAssertEqual(out.dValues[i], (lp - lm) / (2 * h), accuracy: 2e-3, "value \(i)")
    }
    XCTAssertEqual(out.dLogits[2 * 5 + 4], 0)  // masked logit gets no gradient
  }

  func testMaskedDistributionNeverSamplesMaskedActionsAndModeIsDeterministic() throws {
    let d = try MultiCategorical(nvec: [3, 2])
    let (lp, p) = try d.logSoftmax(row: [5, 0, 0, 1, 2][...], mask: [false, true, true, true, true][...])
    XCTAssertEqual(p[0], 0)
    XCTAssertEqual(p[1] + p[2], 1, accuracy: 1e-6)
    var rng = RNG(seed: 1)
    for _ in 0..<200 { XCTAssertNotEqual(d.sample(p: p, rng: &rng)[0], 0) }
    XCTAssertEqual(d.mode(p: p), [1, 1])
    XCTAssertEqual(d.logProb(logp: lp, action: [2, 1][...]), logf(0.5) + lp[4], accuracy: 1e-6)
    XCTAssertThrowsError(try d.logSoftmax(row: [0, 0, 0, 0, 0][...], mask: [false, false, false, true, true][...]))
    XCTAssertThrowsError(try MultiCategorical(nvec: [2, 0]))
  }
}
