import XCTest
@testable import MEC
import EnvKit

/// Long-run constraint accounting pooled over episodes, against a plain recount of the same trajectory.
final class LongRunTests: XCTestCase {
  func testLongRunAccountingAcrossEpisodesMatchesARecount() throws {
    let env = try MECEnv("paper") { s in
      s.users = 6; s.horizon = 40; s.arrivalRate = 0.3; s.edgeGPUs = 1
      s.energyBudgetsW = ["phone": 0.8, "laptop": 3, "embedded-gpu": 2]
    }
    let n = env.numUsers, seeds: [UInt64] = [4, 9], episodes = 3
    // Recount: same policy, same resets, plain sums from the public per-step records.
    var energy = [Double](repeating: 0, count: n), q = [Int](repeating: 0, count: n)
    var eff = [Double](repeating: 0, count: n), hal = [Double](repeating: 0, count: n), slots = 0
    var lat: [Double] = []
    var carried = 0
    for seed in seeds {
      for ep in 0..<episodes {
        var p = MECBaseline(.random, seed: seed &* 1_000_003 &+ UInt64(ep))
        let y = env.energyQueue, z = env.accuracyQueue
        var (obs, _) = env.reset(seed: ep == 0 ? seed : nil)
        if ep > 0 {
          // Virtual queues carry across the episode boundary of one stream.
          XCTAssertEqual(env.energyQueue, y); XCTAssertEqual(env.accuracyQueue, z)
          if y.contains(where: { $0 > 0 }) { carried += 1 }
        } else {
          XCTAssertEqual(env.energyQueue, [Double](repeating: 0, count: n))
        }
        while true {
          let st = try env.step(try p.act(obs: obs, mask: env.actionMask(), env: env))
          slots += 1
          for u in 0..<n { energy[u] += env.lastOutcome.userEnergy[u] }
          for r in env.lastSettled {
            q[r.user] += 1; eff[r.user] += r.effAccuracy; hal[r.user] += r.hallucination; lat.append(r.latency)
          }
          obs = st.obs
          if st.done { break }
        }
      }
      // The env's own accumulators cover the stream since the seeded reset.
      XCTAssertEqual(env.longRun.episodes, episodes)
      XCTAssertEqual(env.longRun.slots, episodes * 40)
    }
    XCTAssertGreaterThan(carried, 0, "some queue was non-zero at an episode boundary")
    XCTAssertEqual(q.reduce(0, +), lat.count)
    var pol = MECBaseline(.random)
    let r = try MECEvaluator.evaluate(&pol, env: env, episodes: episodes, seeds: seeds)
    XCTAssertEqual(r.queries, lat.count)
    XCTAssertEqual(r.latencyMean, lat.reduce(0, +) / Double(lat.count), accuracy: 1e-9)
    let secs = Double(slots)
    var over = 0, accBad = 0, halBad = 0, withQ = 0
    for u in 0..<n {
      XCTAssertEqual(r.userEnergyW[u], energy[u] / secs, accuracy: 1e-12)
      XCTAssertEqual(r.userQueries[u], q[u])
      if energy[u] / secs > env.energyBudget[u] { over += 1 }
      if q[u] > 0 {
        withQ += 1
        if eff[u] / Double(q[u]) < env.scenario.minAccuracy { accBad += 1 }
        if hal[u] / Double(q[u]) > env.scenario.maxHallucination { halBad += 1 }
      }
    }
    XCTAssertEqual(r.energyViolationRate, Double(over) / Double(n))
    XCTAssertEqual(r.accuracyViolationRate, Double(accBad) / Double(withQ))
    XCTAssertEqual(r.hallucinationViolationRate, Double(halBad) / Double(withQ))
    // Per class: slack = budget − the worst device's long-run power; pooled accuracy over the class's queries.
    for c in r.classes {
      let us = (0..<n).filter { env.layout.users[$0].device.deviceClass.rawValue == c.deviceClass }
      XCTAssertEqual(c.devices, us.count)
      XCTAssertEqual(c.energySlackW, c.energyBudgetW - us.map { energy[$0] / secs }.max()!, accuracy: 1e-12)
      let cq = us.reduce(0) { $0 + q[$1] }
      if cq > 0 {
        XCTAssertEqual(c.effectiveAccuracy, us.reduce(0) { $0 + eff[$1] } / Double(cq), accuracy: 1e-12)
        XCTAssertEqual(c.accuracySlack, c.effectiveAccuracy - env.scenario.minAccuracy, accuracy: 1e-12)
      }
    }
    XCTAssertEqual(Set(r.classes.map(\.deviceClass)), Set(env.layout.users.map { $0.device.deviceClass.rawValue }))
  }

  /// A seeded reset starts the long run afresh; carryConstraintState = false makes every reset fresh.
  func testSeededResetClearsAndSwitchDisablesCarry() throws {
    for carry in [true, false] {
      let env = try MECEnv("paper") { s in s.users = 4; s.horizon = 10; s.arrivalRate = 0.8; s.carryConstraintState = carry }
      _ = env.reset(seed: 1)
      for _ in 0..<10 { _ = try env.step([1, 1, 1, 1].enumerated().map { u, a in env.actionMask()![u * 2 + 1] ? a : 0 }) }
      let y = env.energyQueue
      XCTAssertTrue(y.contains { $0 > 0 })
      _ = env.reset(seed: nil)
      XCTAssertEqual(env.energyQueue == y, carry)
      XCTAssertEqual(env.longRun.slots, carry ? 10 : 0)
      _ = env.reset(seed: 2)
      XCTAssertEqual(env.longRun.slots, 0)
      XCTAssertEqual(env.energyQueue, [0, 0, 0, 0])
    }
  }
}
