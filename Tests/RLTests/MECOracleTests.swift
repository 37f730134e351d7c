// Checks of the oracle floors used by the world-model breakdown (MECOracle.swift):
//  - the "predictable" groups are exactly predictable from (full state, action): the oracle reproduces the
//    next observation bit for bit under a random policy that mixes local and offload decisions, for Bernoulli
//    and (heavier) Poisson arrivals — i.e. no randomness enters them during the step, so their floor is 0;
//  - the Monte-Carlo gain floor against closed forms: ρ = 0 gives the variance of 10·log10 of an Exp(1)
//    variable, (10/ln 10)²·π²/6 dB², i.e. 0.31025 in observation units (÷100); ρ = 1 gives 0.
import XCTest
@testable import MEC
@testable import RL
import TensorCore

final class MECOracleTests: XCTestCase {
  func runRandomPolicy(_ configure: @escaping (inout MECScenario) -> Void, steps: Int, seed: UInt64)
    throws -> (checked: Int, moved: [Int: Int]) {
    let env = try MECEnv("paper", configure: configure)
    var rng = RNG(seed: seed)
    var obs = env.reset(seed: seed).obs
    var checked = 0
    var moved: [Int: Int] = [:]   // dims whose value changed from one slot to the next, by count
    for _ in 0..<steps {
      let mask = env.actionMask()!, c = env.choices
      var a = [Int](repeating: 0, count: env.numUsers)
      for u in 0..<env.numUsers {
        let ok = (0..<c).filter { mask[u * c + $0] }
        a[u] = ok[rng.int(below: ok.count)]
      }
      let pred = MECOracle.predictable(env, a)
      let s = try env.step(a)
      for (j, v) in pred {
        XCTAssertEqual(v, s.obs[j], "dim \(j) at slot \(env.slot)")
        if s.obs[j] != obs[j] { moved[j, default: 0] += 1 }
        checked += 1
      }
      obs = s.done ? env.reset(seed: nil).obs : s.obs
    }
    return (checked, moved)
  }

  func testPredictableGroupsAreDeterministicGivenStateAndAction() throws {
    let n = 10, g = n * MECEnv.featuresPerUser
    let bern = try runRandomPolicy({ $0.users = n }, steps: 600, seed: 3)
    // Heavier load (Poisson, several queries per slot, several edge batches) exercises every branch.
    let pois = try runRandomPolicy({ $0.users = n; $0.arrival = .poisson; $0.arrivalRate = 0.6 }, steps: 400, seed: 4)
    XCTAssertEqual(bern.checked, 600 * (4 * n + 5 + 3))  // + large-scale gain, budget per user; backlog per GPU (3)
    // Not vacuous: the dynamics actually moved these dims many times.
    for m in [bern.moved, pois.moved] {
      XCTAssertGreaterThan((0..<n).reduce(0) { $0 + m[$1 * MECEnv.featuresPerUser + 7, default: 0] }, 25)
      XCTAssertGreaterThan((0..<n).reduce(0) { $0 + m[$1 * MECEnv.featuresPerUser + 10, default: 0] }, 25)
      XCTAssertGreaterThan(m[g, default: 0], 20)
    }
    XCTAssertGreaterThan(pois.moved[g + 2, default: 0] + pois.moved[g + 3, default: 0], 10)
  }

  func testGainFloorMatchesClosedForms() {
    var rng = RNG(seed: 7)
    // ρ = 0: x = (10·log10(L·E) + 120)/10 with E ~ Exp(1); Var = (10/ln10)²·(π²/6)/100, whatever h_t is.
    let iid = MECOracle.gainFloor(re: 0.8, im: -0.3, largeScale: 1e-10, rho: 0, samples: 200_000, rng: &rng)
    let exact = pow(10 / log(10.0), 2) * Double.pi * Double.pi / 6 / 100
    XCTAssertEqual(iid.raw, exact, accuracy: 0.02 * exact)
    // symlog is increasing and 1-Lipschitz on x ≥ 0 with slope 1/(1+x): its variance is below the raw one.
    XCTAssertLessThan(iid.sym, iid.raw)
    // ρ = 1: frozen channel, nothing to learn about the next value.
    let frozen = MECOracle.gainFloor(re: 0.8, im: -0.3, largeScale: 1e-10, rho: 1, samples: 64, rng: &rng)
    XCTAssertEqual(frozen.raw, 0); XCTAssertEqual(frozen.sym, 0)
    // ρ = 0.9 lies strictly between, and is smaller than the stationary variance.
    let ar = MECOracle.gainFloor(re: 0.8, im: -0.3, largeScale: 1e-10, rho: 0.9, samples: 20_000, rng: &rng)
    XCTAssertGreaterThan(ar.raw, 0.01); XCTAssertLessThan(ar.raw, exact)
  }
}
