import XCTest
@testable import MEC
import EnvKit

final class BaselineTests: XCTestCase {
  /// As the model cards imply: the edge (full model) answers more accurately than the compact local variant,
  /// but at high load its queue makes offloading slower than answering locally.
  func testOffloadBeatsLocalOnAccuracyButLosesOnLatencyAtHighLoad() throws {
    let env = try MECEnv("paper") { $0.users = 50 }
    var local = MECBaseline(.alwaysLocal), offload = MECBaseline(.alwaysOffload)
    let l = try MECEvaluator.evaluate(&local, env: env, episodes: 1, seeds: [1, 2])
    let o = try MECEvaluator.evaluate(&offload, env: env, episodes: 1, seeds: [1, 2])
    XCTAssertGreaterThan(o.accuracy, l.accuracy)
    XCTAssertGreaterThan(o.latencyMean, l.latencyMean)
    XCTAssertEqual(l.offloadFraction, 0)
    XCTAssertEqual(o.offloadFraction, 1, accuracy: 0.02)
    // At low load the edge is also faster.
    let low = try MECEnv("paper") { $0.users = 5 }
    let l5 = try MECEvaluator.evaluate(&local, env: low, episodes: 1, seeds: [1, 2])
    let o5 = try MECEvaluator.evaluate(&offload, env: low, episodes: 1, seeds: [1, 2])
    XCTAssertLessThan(o5.latencyMean, l5.latencyMean)
    XCTAssertEqual(o5.queries, l5.queries)  // same arrivals whatever the policy
  }

  /// The exhaustive oracle attains the per-slot drift-plus-penalty minimum; coordinate descent never beats it.
  func testOracleIsPerSlotOptimal() throws {
    let env = try MECEnv("paper") { $0.users = 6; $0.arrivalRate = 0.5; $0.localVariants = 2 }
    var (obs, _) = env.reset(seed: 4)
    var oracle = MECBaseline(.lyapunovExhaustive), lyap = MECBaseline(.lyapunov), rnd = MECBaseline(.random, seed: 1)
    var strictlyBetter = 0
    for _ in 0..<60 {
      let mask = env.actionMask()
      let ao = try oracle.act(obs: obs, mask: mask, env: env)
      let al = try lyap.act(obs: obs, mask: mask, env: env)
      let ar = try rnd.act(obs: obs, mask: mask, env: env)
      let vo = env.preview(ao, objective: .lyapunov)
      XCTAssertLessThanOrEqual(vo, env.preview(al, objective: .lyapunov) + 1e-9)
      XCTAssertLessThanOrEqual(vo, env.preview(ar, objective: .lyapunov) + 1e-9)
      if vo < env.preview(ar, objective: .lyapunov) - 1e-9 { strictlyBetter += 1 }
      obs = try env.step(ao).obs
    }
    XCTAssertGreaterThan(strictlyBetter, 10)
  }

  func testEvaluationStatistics() throws {
    XCTAssertEqual(percentile(sorted: [1, 2, 3, 4], 50), 2.5)
    XCTAssertEqual(percentile(sorted: [1, 2, 3, 4, 5], 95), 4.8, accuracy: 1e-12)
    let env = try MECEnv("paper") { $0.users = 4; $0.horizon = 50; $0.arrivalRate = 0.2; $0.edgeScheduler = .slotBatch }
    var p = MECBaseline(.greedy)
    let a = try MECEvaluator.evaluate(&p, env: env, episodes: 2, seeds: [3])
    let b = try MECEvaluator.evaluate(&p, env: env, episodes: 2, seeds: [3])
    XCTAssertEqual(a.latencyMean, b.latencyMean)
    XCTAssertEqual(a.episodes, 2)
    XCTAssertGreaterThan(a.queries, 0)
    XCTAssertLessThanOrEqual(a.latencyP50, a.latencyP95)
    // Slot batches: the decision-time split is the realized latency. Continuous batching: later joiners can
    // only slow a query down, so the realized mean is at least the decision-time projection.
    XCTAssertEqual(a.delayTransmit + a.delayQueue + a.delayCompute, a.latencyMean, accuracy: 1e-9)
    let cont = try MECEnv("paper") { $0.users = 8; $0.horizon = 50; $0.arrivalRate = 0.3; $0.edgeGPUs = 1 }
    var off = MECBaseline(.alwaysOffload)
    let c = try MECEvaluator.evaluate(&off, env: cont, episodes: 1, seeds: [3])
    XCTAssertGreaterThan(c.latencyMean, c.delayTransmit + c.delayQueue + c.delayCompute + 0.1)
  }
}
