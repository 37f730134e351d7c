import XCTest
@testable import MEC
import EnvKit
import TensorCore

/// snapshot → k steps → restore → the same k steps: bit-identical observations, rewards, infos and outcomes,
/// across an episode boundary (argument-less reset draws from the episode stream) and with busy slots.
final class SnapshotTests: XCTestCase {
  func trace(_ env: MECEnv, _ actions: [[Int]]) throws -> [[Float]] {
    var out: [[Float]] = []
    for a in actions {
      let st = try env.step(a)
      out.append(st.obs + [st.reward, st.truncated ? 1 : 0] + st.info.metrics.map { Float($0) } + st.info.costs.map { Float($0) }
                 + env.lastOutcome.latency.map { Float($0) } + env.lastOutcome.userEnergy.map { Float($0) })
      if st.done { out.append(env.reset(seed: nil).obs) }
    }
    return out
  }

  /// Random valid actions for `k` steps from the env's current state, without changing it (uses a clone).
  func plan(_ env: MECEnv, _ k: Int, seed: UInt64) throws -> [[Int]] {
    let c = env.clone()
    var rng = RNG(seed: seed), out: [[Int]] = []
    for _ in 0..<k {
      let m = c.actionMask()!
      let a = (0..<c.numUsers).map { u in
        let ok = (0..<c.choices).filter { m[u * c.choices + $0] }
        return ok[rng.int(below: ok.count)]
      }
      out.append(a)
      if try c.step(a).done { _ = c.reset(seed: nil) }
    }
    return out
  }

  func testRestoreReplaysBitIdentical() throws {
    let env = try MECEnv("paper") { s in
      s.users = 8; s.horizon = 30; s.arrival = .poisson; s.arrivalRate = 0.4; s.localVariants = 2
      s.constraintMode = .lagrange; s.lagrangeStep = 0.05
    }
    _ = env.reset(seed: 21)
    for _ in 0..<17 { _ = try env.step([Int](repeating: 0, count: 8).enumerated().map { u, _ in env.actionMask()![u * 3] ? 0 : 1 }) }
    let actions = try plan(env, 40, seed: 5)   // crosses the episode end at slot 30
    let snap = env.snapshot()
    let first = try trace(env, actions)
    XCTAssertNotEqual(env.snapshot(), snap)
    try env.restore(snap)
    XCTAssertEqual(env.snapshot(), snap)
    let second = try trace(env, actions)
    XCTAssertEqual(first.count, second.count)
    for (i, (x, y)) in zip(first, second).enumerated() {
      XCTAssertEqual(x.map(\.bitPattern), y.map(\.bitPattern), "step \(i)")
    }
    // A clone evolves independently and identically.
    try env.restore(snap)
    let twin = env.clone()
    let third = try trace(twin, actions)
    XCTAssertEqual(third.map { $0.map(\.bitPattern) }, first.map { $0.map(\.bitPattern) })
    XCTAssertEqual(env.snapshot(), snap, "stepping the clone left the original untouched")
  }

  func testRestoreRejectsAForeignSnapshot() throws {
    let a = try MECEnv("paper") { $0.users = 3 }, b = try MECEnv("paper") { $0.users = 4 }
    _ = a.reset(seed: 1)
    XCTAssertThrowsError(try b.restore(a.snapshot())) { e in XCTAssertTrue("\(e)".contains("does not belong to this env"), "\(e)") }
  }

  /// Every stored property of the env is either in the snapshot, immutable, or a scratch buffer.
  func testSnapshotCoversEveryStoredProperty() throws {
    let env = try MECEnv("paper") { $0.users = 2 }
    let stored = Set(Mirror(reflecting: env).children.compactMap(\.label))
    let immutable: Set = ["scenario", "layout", "numUsers", "choices", "observationSpace", "actionSpace", "noisePSD",
                          "energyBudget", "energyUnit", "edgeCost"]
    let scratch: Set = ["scratch", "outcome"]
    let snap = Set(Mirror(reflecting: env.snapshot().state).children.compactMap(\.label))
    XCTAssertEqual(stored.subtracting(immutable).subtracting(scratch), snap)
  }
}
