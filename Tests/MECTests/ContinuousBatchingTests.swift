import XCTest
@testable import MEC
import EnvKit
import EdgeProfiles

/// Continuous batching against a hand-worked two-query timeline (EdgeEngine.swift), and its effect in the env.
final class ContinuousBatchingTests: XCTestCase {
  func testTwoQueryTimelineByHand() throws {
    let env = try MECEnv("paper") { $0.users = 1 }
    let cost = env.edgeCost, e = env.layout.edge, a = env.scenario.batchSlowdown
    func t(_ c: Double) -> Double { e.roofline.secondsPerToken(context: c) }
    // A: prompt 200, 4 output tokens, ready at 0. B: prompt 100, 3 tokens, ready during A's 2nd iteration.
    let e1 = e.prefillSeconds(200) + t(200)                 // A joins: prefill + its first token
    let e2 = e1 + t(201)                                     // A alone
    let rB = (e1 + e2) / 2
    let e3 = e2 + e.prefillSeconds(100) + (1 + a) * t((202 + 100) / 2)   // B joins at the boundary e2
    let e4 = e3 + (1 + a) * t((203 + 101) / 2)               // both decode; A's 4th token: A done
    let e5 = e4 + t(102)                                     // B alone: B's 3rd token: B done
    var g = EdgeGPUState()
    g.enqueue(EdgeRequest(id: 0, ready: 0, prompt: 200, output: 4))
    g.enqueue(EdgeRequest(id: 1, ready: rB, prompt: 100, output: 3))
    var joined: [Int: Double] = [:], done: [Int: Double] = [:]
    g.run(until: .infinity, cost, joined: { joined[$0] = $1 }, done: { done[$0] = $1 })
    XCTAssertEqual(joined[0]!, 0, accuracy: 1e-12)
    XCTAssertEqual(joined[1]!, e2, accuracy: 1e-12)
    XCTAssertEqual(done[0]!, e4, accuracy: 1e-9)
    XCTAssertEqual(done[1]!, e5, accuracy: 1e-9)
    // Slot boundaries in the middle change nothing (events are exact, whatever the chunking).
    var h = EdgeGPUState(), done2: [Int: Double] = [:]
    h.enqueue(EdgeRequest(id: 0, ready: 0, prompt: 200, output: 4))
    h.enqueue(EdgeRequest(id: 1, ready: rB, prompt: 100, output: 3))
    for cut in stride(from: 0.01, through: 2, by: 0.037) { h.run(until: cut, cost, done: { done2[$0] = $1 }) }
    h.run(until: .infinity, cost, done: { done2[$0] = $1 })
    XCTAssertEqual(done2[0]!, e4, accuracy: 1e-9)
    XCTAssertEqual(done2[1]!, e5, accuracy: 1e-9)
    // A full batch: a third request waits until a stream leaves.
    let c1 = EdgeCost(edge: e, slowdown: a, maxBatch: 1)
    var k = EdgeGPUState(), d3: [Int: Double] = [:], j3: [Int: Double] = [:]
    k.enqueue(EdgeRequest(id: 0, ready: 0, prompt: 200, output: 2))
    k.enqueue(EdgeRequest(id: 1, ready: 0.01, prompt: 100, output: 1))
    k.run(until: .infinity, c1, joined: { j3[$0] = $1 }, done: { d3[$0] = $1 })
    let f1 = e.prefillSeconds(200) + t(200) + t(201)
    XCTAssertEqual(j3[1]!, f1, accuracy: 1e-12)
    XCTAssertEqual(d3[1]!, f1 + e.prefillSeconds(100) + t(100), accuracy: 1e-9)
  }

  /// Decode runs summed in closed form equal the token-by-token sum, also across the compute-bound knee.
  func testDecodeSumMatchesTokenLoop() throws {
    let env = try MECEnv("paper") { $0.users = 1 }
    var slow = try DeviceProfile.named("edge-gpu-l4")
    slow.peakFLOPS = 5e11  // compute-bound below ~25k tokens of context, memory-bound above
    let card = env.layout.edge.card
    let hosted = try HostedModel(card: card, device: slow, classes: TaskClass.all, config: AnalyticModelConfig())
    for cost in [env.edgeCost, EdgeCost(edge: hosted, slowdown: 0.3, maxBatch: 4)] {
      for c0 in [0.5, 100.25, 4000.0, 60_000.0] {
        for k in [1, 7, 300, 90_000] {
          var ref = 0.0
          for j in 0..<k { ref += cost.roofline.secondsPerToken(context: c0 + Double(j)) }
          XCTAssertEqual(cost.decodeSum(context: c0, steps: k), ref, accuracy: ref * 1e-11)
        }
      }
    }
    let r = EdgeCost(edge: hosted, slowdown: 0, maxBatch: 1).roofline
    XCTAssertGreaterThan(r.computeK, r.memA + r.memB * 0.5, "the slow device has a compute-bound regime")
    XCTAssertLessThan(r.computeK, r.memA + r.memB * 150_000, "and a memory-bound one")
  }

  /// In the env: a query offloaded one slot after another joins its running batch and slows it down, so the
  /// first one's realized latency exceeds its decision-time projection; both are settled exactly once.
  func testLaterJoinerSlowsTheRunningStream() throws {
    let env = try MECEnv("paper") { s in
      s.users = 2; s.arrivalRate = 0; s.edgeGPUs = 1; s.horizon = 60
      s.deviceNames = ["phone-12gb"]; s.minDistanceKm = 0.1; s.maxDistanceKm = 0.1; s.shadowingStdDB = 0
    }
    _ = env.reset(seed: 1)
    env.queries = [MECQuery(user: 0, prompt: 200, output: 150, taskClass: 0)]
    env.firstQuery = [0, 1]; env.queryCount = [1, 0]
    let projected = env.previewOutcome([0, 0]).latency[0]
    _ = try env.step([0, 0])
    env.queries = [MECQuery(user: 1, prompt: 200, output: 150, taskClass: 0)]
    env.firstQuery = [0, 0]; env.queryCount = [0, 1]
    var settled: [MECSettled] = []
    for _ in 0..<59 {
      settled += env.lastSettled
      let st = try env.step([0, 0])
      env.queries = []; env.queryCount = [0, 0]
      if st.done { settled += env.lastSettled; break }
    }
    XCTAssertEqual(settled.count, 2)
    let first = settled.first { $0.user == 0 }!
    XCTAssertGreaterThan(first.latency, projected + 0.5)
  }
}
