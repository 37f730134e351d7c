import XCTest
@testable import EnvKit
import TensorCore

final class NormalizeTests: XCTestCase {
  /// Running stats equal a plain two-pass mean/variance over (epsilon-weighted prior + samples).
  func testRunningMeanStdMatchesTwoPass() {
    var rng = RNG(seed: 3)
    let xs: [[Float]] = (0..<500).map { _ in [Float(rng.normal(mean: 3, std: 2)), Float(rng.uniform(-1, 5))] }
    var rs = RunningMeanStd(dimension: 2, epsilon: 0)
    rs.count = 0
    for x in xs { rs.update(x) }
    for d in 0..<2 {
      let m = xs.map { Double($0[d]) }.reduce(0, +) / 500
      let v = xs.map { (Double($0[d]) - m) * (Double($0[d]) - m) }.reduce(0, +) / 500
      XCTAssertEqual(rs.mean[d], m, accuracy: 1e-9)
      XCTAssertEqual(rs.variance[d], v, accuracy: 1e-9)
    }
    // Batch update == sequential update (SB3 semantics with the 1e-4 prior count).
    var a = RunningMeanStd(dimension: 2), b = RunningMeanStd(dimension: 2)
    for x in xs[0..<100] { a.update(x) }
    b.update(batch: xs[0..<100].flatMap { $0 }, rows: 100)
    for d in 0..<2 {
      XCTAssertEqual(a.mean[d], b.mean[d], accuracy: 1e-9)
      XCTAssertEqual(a.variance[d], b.variance[d], accuracy: 1e-7)
    }
    XCTAssertEqual(a.count, 100.0001, accuracy: 1e-9)
  }

  func testNormalizeObservationWrapper() throws {
    var env = try NormalizeObservation(Corridor())
    let (o0, _) = env.reset(seed: 1)
    // After one sample x with prior (mean 0, var 1, count 1e-4): mean = x·n/(n+1) ≈ x, so obs ≈ 0.
    XCTAssertEqual(o0[0], 0, accuracy: 1e-3)
    var raw = Corridor()
    _ = raw.reset(seed: 1)
    var stats = RunningMeanStd(dimension: 2)
    stats.update(raw.obs())
    for a in [2, 2, 1, 2, 0, 2] {
      let s = try env.step([a]), r = try raw.step([a])
      stats.update(r.obs)
      for d in 0..<2 {
        let z = (Double(r.obs[d]) - stats.mean[d]) / (stats.variance[d] + 1e-8).squareRoot()
        XCTAssertEqual(Double(s.obs[d]), min(max(z, -10), 10), accuracy: 1e-5)
      }
    }
    env.training = false
    let frozen = env.stats
    _ = try env.step([2])
    XCTAssertEqual(env.stats, frozen)
  }

  func testNormalizeRewardByHand() throws {
    var env = NormalizeReward(Corridor(), gamma: 0.5)
    var raw = Corridor()
    _ = env.reset(seed: 9); _ = raw.reset(seed: 9)
    var g = 0.0
    var returns: [Double] = []
    for a in [2, 1, 2, 2, 0] {
      let s = try env.step([a]), r = try raw.step([a])
      g = 0.5 * g + Double(r.reward)
      returns.append(g)
      // Reference: variance of all returns so far merged with the (0, 1, 1e-4) prior.
      let n = Double(returns.count), c0 = 1e-4
      let m = returns.reduce(0, +) / n
      let v = returns.map { ($0 - m) * ($0 - m) }.reduce(0, +) / n
      let tot = c0 + n
      let varTot = (1 * c0 + v * n + m * m * c0 * n / tot) / tot
      XCTAssertEqual(Double(s.reward), Double(r.reward) / (varTot + 1e-8).squareRoot(), accuracy: 1e-4)
      if s.done { break }
    }
  }
}
