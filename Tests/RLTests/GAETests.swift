import XCTest
@testable import RL
import TensorCore
import EnvKit

final class GAETests: XCTestCase {
  // Hand computation (γ=0.9, λ=0.8, γλ=0.72). Env 0: truncation at t=1 (V(final)=10), termination at t=3.
  // Env 1: no episode end, bootstrap V(s_T)=7.
  func testGAEMatchesHandComputationWithTruncationAndTermination() throws {
    let n = 2
    // time-major interleave: [t0e0, t0e1, t1e0, t1e1, ...]
    let r: [Float] = [1, 1, 2, 2, 3, 3, 4, 4]
    let v: [Float] = [0.5, 0.5, 1, 1, 1.5, 1.5, 2, 2]
    let term = [false, false, false, false, false, false, true, false]
    let trunc = [false, false, true, false, false, false, false, false]
    var fin = [Float](repeating: -99, count: 8)
    fin[2] = 10
    let g = try computeGAE(rewards: r, values: v, terminated: term, truncated: trunc, finalValues: fin,
                           bootstrapValues: [-50, 7], numEnvs: n, gamma: 0.9, lambda: 0.8)
    // env 0: A3 = 4 − 2 = 2; A2 = (3 + 0.9·2 − 1.5) + 0.72·2 = 4.74; A1 = 2 + 0.9·10 − 1 = 10;
    //        A0 = (1 + 0.9·1 − 0.5) + 0.72·10 = 8.6
    // env 1: A3 = 4 + 6.3 − 2 = 8.3; A2 = 3.3 + 0.72·8.3 = 9.276; A1 = (2 + 1.35 − 1) + 0.72·9.276 = 9.02872;
    //        A0 = 1.4 + 0.72·9.02872 = 7.9006784
    let e0: [Float] = [8.6, 10, 4.74, 2], e1: [Float] = [7.9006784, 9.02872, 9.276, 8.3]
    for t in 0..<4 {
      XCTAssertEqual(g.advantages[t * n], e0[t], accuracy: 1e-5, "env0 t=\(t)")
      XCTAssertEqual(g.advantages[t * n + 1], e1[t], accuracy: 1e-5, "env1 t=\(t)")
      XCTAssertEqual(g.returns[t * n], e0[t] + v[t * n], accuracy: 1e-5)
    }
  }

  func testLambdaOneGivesDiscountedMonteCarloReturn() throws {
    let r: [Float] = [1, 0, 2, 5]
    let v: [Float] = [3, -1, 0.25, 8]
    let g = try computeGAE(rewards: r, values: v, terminated: [false, false, false, true],
                           truncated: [false, false, false, false], finalValues: [0, 0, 0, 0],
                           bootstrapValues: [100], numEnvs: 1, gamma: 0.5, lambda: 1)
    // returns = Σ γ^k r: t0 = 1 + 0 + 0.25·2 + 0.125·5 = 2.125
    XCTAssertEqual(g.returns[0], 2.125, accuracy: 1e-6)
    XCTAssertEqual(g.returns[2], 2 + 2.5, accuracy: 1e-6)
  }

  func testShapeErrorsAreThrown() {
    XCTAssertThrowsError(try computeGAE(rewards: [1, 2, 3], values: [1, 2, 3], terminated: [false, false, false],
                                        truncated: [false, false, false], finalValues: [0, 0, 0],
                                        bootstrapValues: [0, 0], numEnvs: 2, gamma: 0.9, lambda: 0.9))
    XCTAssertThrowsError(try computeGAE(rewards: [1, 2], values: [1], terminated: [false, false],
                                        truncated: [false, false], finalValues: [0, 0],
                                        bootstrapValues: [0], numEnvs: 1, gamma: 0.9, lambda: 0.9))
  }

  func testAdvantageNormalisationUsesSampleStd() {
    let a = normalizeAdvantages([1, 2, 3, 4])
    // mean 2.5, sample std sqrt(5/3) = 1.2909944
    XCTAssertEqual(a[0], -1.5 / 1.2909944, accuracy: 1e-5)
    XCTAssertEqual(a[3], 1.5 / 1.2909944, accuracy: 1e-5)
  }

  func testRunningMeanStdMatchesDirectComputation() {
    var rms = RunningMeanStd(dimension: 2, epsilon: 0)
    var rng = RNG(seed: 3)
    var all: [Float] = []
    for rows in [5, 1, 17] {
      let batch = (0..<(rows * 2)).map { _ in Float(rng.normal(mean: 2, std: 3)) }
      all += batch
      rms.update(batch: batch, rows: rows)
    }
    for j in 0..<2 {
      let col = stride(from: j, to: all.count, by: 2).map { Double(all[$0]) }
      let m = col.reduce(0, +) / Double(col.count)
      let v = col.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(col.count)
      XCTAssertEqual(rms.mean[j], m, accuracy: 1e-9)
      XCTAssertEqual(rms.variance[j], v, accuracy: 1e-9)
    }
    XCTAssertEqual(rms.count, 23)
  }

  func testSymlogSymexpRoundTripAndValues() {
    XCTAssertEqual(symlog(0), 0)
    XCTAssertEqual(symlog(Float(M_E - 1)), 1, accuracy: 1e-6)
    XCTAssertEqual(symlog(-Float(M_E - 1)), -1, accuracy: 1e-6)
    for x: Float in [-1000, -3.5, -0.01, 0.2, 7, 12345] {
      XCTAssertEqual(symexp(symlog(x)), x, accuracy: abs(x) * 1e-5)
    }
  }

  func testExplainedVariance() {
    XCTAssertEqual(explainedVariance(predicted: [1, 2, 3], target: [1, 2, 3]), 1, accuracy: 1e-12)
    // Var[y]=2/3, residual [1,1,1] has variance 0 → 1; constant prediction → 0.
    XCTAssertEqual(explainedVariance(predicted: [0, 1, 2], target: [1, 2, 3]), 1, accuracy: 1e-12)
    XCTAssertEqual(explainedVariance(predicted: [2, 2, 2], target: [1, 2, 3]), 0, accuracy: 1e-12)
  }
}

final class RolloutBufferTests: XCTestCase {
  func testStackedBuffersPlaceEnvsSideBySide() throws {
    var a = RolloutBuffer(steps: 2, numEnvs: 2, obsDim: 1, maskDim: 0, actionDim: 1, costDim: 1)
    var b = a
    a.rawObs = [0, 1, 10, 11]; b.rawObs = [100, 101, 110, 111]     // value = 100·buffer + 10·t + e
    a.actions = [0, 1, 2, 3]; b.actions = [4, 5, 6, 7]
    a.truncated = [false, false, true, false]; b.truncated = [false, true, false, false]
    let s = try RolloutBuffer.stacked([a, b])
    XCTAssertEqual(s.numEnvs, 4)
    XCTAssertEqual(s.rawObs, [0, 1, 100, 101, 10, 11, 110, 111])
    XCTAssertEqual(s.actions, [0, 1, 4, 5, 2, 3, 6, 7])
    XCTAssertEqual(s.truncated, [false, false, false, true, true, false, false, false])
    let c = RolloutBuffer(steps: 3, numEnvs: 2, obsDim: 1, maskDim: 0, actionDim: 1, costDim: 1)
    XCTAssertThrowsError(try RolloutBuffer.stacked([a, c]))
    XCTAssertThrowsError(try RolloutBuffer.stacked([]))
  }
}
