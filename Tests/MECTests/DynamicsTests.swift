import XCTest
@testable import MEC
import EnvKit
import Foundation

final class DynamicsTests: XCTestCase {
  func lag1(_ rho: Double) throws -> Double {
    let env = try MECEnv("paper") { s in s.users = 50; s.rho = rho; s.horizon = 400; s.arrivalRate = 0 }
    _ = env.reset(seed: 5)
    var series = [[Double]](repeating: [], count: 50)
    for _ in 0..<400 {
      for u in 0..<50 { series[u].append(env.hRe[u]) }
      _ = try env.step([Int](repeating: 0, count: 50))
    }
    var num = 0.0, den = 0.0
    for s in series {
      for t in 1..<s.count { num += s[t] * s[t - 1]; den += s[t - 1] * s[t - 1] }
    }
    return num / den
  }

  /// Gauss–Markov fading: the lag-1 autocorrelation of h equals ρ (0 = uncorrelated, → 1 persistent).
  func testFadingAutocorrelation() throws {
    XCTAssertEqual(try lag1(0), 0, accuracy: 0.03)
    XCTAssertEqual(try lag1(0.5), 0.5, accuracy: 0.05)
    XCTAssertGreaterThan(try lag1(0.99), 0.97)
    XCTAssertEqual(try lag1(1), 1, accuracy: 1e-12)
  }

  /// Tokens are conserved (admitted = served + in flight) and device backlogs equal the remaining local work;
  /// virtual queues follow Y ← max(Y + ν·d, 0), Z ← max(Z + Σ(A_min − effAcc), 0), H ← max(H + Σ(h − H_max), 0).
  func testQueuesConserveTokensAndVirtualQueuesFollowTheirRule() throws {
    let env = try MECEnv("paper") { s in s.users = 12; s.arrivalRate = 0.3; s.arrival = .poisson; s.horizon = 150; s.localVariants = 2 }
    var pol = MECBaseline(.random, seed: 2)
    var (obs, _) = env.reset(seed: 9)
    var admitted = 0
    let s = env.scenario
    for _ in 0..<150 {
      let y0 = env.energyQueue, z0 = env.accuracyQueue, h0 = env.hallucinationQueue
      admitted += env.queries.reduce(0) { $0 + $1.prompt + $1.output }
      let st = try env.step(try pol.act(obs: obs, mask: env.actionMask(), env: env))
      obs = st.obs
      let o = env.lastOutcome
      for u in 0..<env.numUsers {
        let d = (o.userEnergy[u] - env.energyBudget[u] * s.slotSeconds) / env.energyUnit[u]
        XCTAssertEqual(env.energyQueue[u], max(y0[u] + d, 0), accuracy: 1e-9)
      }
      let dA = o.effAccuracy.map { s.minAccuracy - $0 }.reduce(0, +)
      let dH = o.hallucination.map { $0 - s.maxHallucination }.reduce(0, +)
      XCTAssertEqual(env.accuracyQueue, max(z0 + dA, 0), accuracy: 1e-9)
      XCTAssertEqual(env.hallucinationQueue, max(h0 + dH, 0), accuracy: 1e-9)
      let l = env.ledger
      XCTAssertEqual(l.admittedLocal + l.admittedEdge, admitted)
      XCTAssertEqual(l.admittedLocal, l.servedLocal + l.inFlightLocal)
      XCTAssertEqual(l.admittedEdge, l.servedEdge + l.inFlightEdge)
      let now = Double(env.slot) * s.slotSeconds
      for u in 0..<env.numUsers {
        XCTAssertEqual(l.remainingLocalWork(user: u, after: now), max(env.deviceFreeAt[u] - now, 0), accuracy: 1e-6)
      }
      if st.done { break }
    }
    XCTAssertGreaterThan(env.ledger.servedLocal, 0)
    XCTAssertGreaterThan(env.ledger.servedEdge, 0)
  }

  func testSameSeedSameTrajectory() throws {
    func run(_ seed: UInt64) throws -> [Float] {
      let env = try MECEnv("paper") { $0.users = 8; $0.arrivalRate = 0.2 }
      var p = MECBaseline(.random, seed: 4)
      var (o, _) = env.reset(seed: seed)
      var trace = o
      for _ in 0..<60 {
        let st = try env.step(try p.act(obs: o, mask: env.actionMask(), env: env))
        o = st.obs
        trace += o + [st.reward] + st.info.metrics.map { Float($0) }
      }
      return trace
    }
    XCTAssertEqual(try run(42), try run(42))
    XCTAssertNotEqual(try run(42), try run(43))
  }

  func testEnvCheckerPassesOnMECAndVectorEnvRuns() throws {
    var env = try MECEnv("paper") { $0.users = 5; $0.horizon = 40; $0.arrivalRate = 0.3; $0.localVariants = 2 }
    let r = EnvChecker.check(&env, seed: 3, steps: 120)
    XCTAssertTrue(r.passed, r.description)
    var pois = try MECEnv("paper") { $0.users = 4; $0.horizon = 30; $0.arrival = .poisson; $0.arrivalRate = 0.8 }
    XCTAssertTrue(EnvChecker.check(&pois, seed: 1, steps: 70).passed)
    let vec = try VectorEnv(count: 2) { _ in try MECEnv("paper") { $0.users = 3; $0.horizon = 10 } }
    vec.reset(seed: 1)
    var ended = 0
    for _ in 0..<25 {
      try vec.step([Int](repeating: 0, count: 6))
      for e in vec.episodes.compactMap({ $0 }) { XCTAssertEqual(e.length, 10); ended += 1 }
    }
    XCTAssertEqual(ended, 4)
  }
}
