import XCTest
@testable import MEC
import EnvKit
import EdgeProfiles
import Foundation

/// Hand-computed single slots: rate, latency and energy from the formulas, independent of the env's code path.
final class SlotPhysicsTests: XCTestCase {
  func oneUser(_ configure: (inout MECScenario) -> Void = { _ in }) throws -> MECEnv {
    try MECEnv("paper") { s in
      s.users = 1; s.arrivalRate = 1; s.promptTokensMin = 200; s.promptTokensMax = 200
      s.outputTokensMin = 100; s.outputTokensMax = 100; s.taskClassWeights = [1, 0, 0]
      s.shadowingStdDB = 0; s.minDistanceKm = 0.2; s.maxDistanceKm = 0.2; s.deviceNames = ["phone-12gb"]
      s.edgeDevice = "edge-gpu-l4"; s.edgeGPUs = 4
      configure(&s)
    }
  }

  func testOffloadSlotByHand() throws {
    let env = try oneUser()
    _ = env.reset(seed: 3)
    // Channel: PL(0.2 km) = 128.1 + 37.6·log10(0.2) = 101.818 dB; g = 10^(−PL/10)·|h|².
    let pl = 128.1 + 37.6 * log10(0.2)
    XCTAssertEqual(pl, 101.81873, accuracy: 1e-4)
    let h2 = env.hRe[0] * env.hRe[0] + env.hIm[0] * env.hIm[0]
    let g = pow(10, -pl / 10) * h2
    XCTAssertEqual(env.gain[0], g, accuracy: g * 1e-12)
    // Rate with the whole 2 MHz (one offloader), N0 = −174 dBm/Hz = 10^(−20.4) W/Hz, P = 0.2 W.
    let n0 = pow(10, -20.4), b = 2e6
    let rUp = b * log2(1 + 0.2 * g / (n0 * b)), rDown = b * log2(1 + 10 * g / (n0 * b))
    let air = (1e6 + 32 * 200) / rUp, down = 32 * 100 / rDown
    // Edge (L4, Llama-3.1-8B F16): prefill 200 tokens, then 100 decode steps at batch 1 (α irrelevant).
    let card = try ModelCard.paperScale.first { $0.name == "llama-3.1-8b-f16" }!
    let l4 = try DeviceProfile.named("edge-gpu-l4")
    let cost = try AnalyticModel.queryCost(card: card, device: l4, query: QueryShape(promptTokens: 200, outputTokens: 100))
    // Cross-check the prefill roofline by hand: max(compute 200·2·8.03e9 / (0.3·121e12),
    // memory (14.96 GiB + 128 KiB·200) / (0.6·300e9)) — memory-bound on the L4 by a hair.
    let w: Double = 14.96 * 1_073_741_824, kv: Double = 131_072, bw: Double = 0.6 * 300e9
    let preCompute: Double = 200 * 2 * 8.03e9 / (0.3 * 121e12)
    let preMemory: Double = (w + kv * 200) / bw
    let pre = max(preCompute, preMemory)
    XCTAssertEqual(cost.prefillSeconds, pre, accuracy: 1e-12)
    // Decode at batch 1, memory-bound: Σ_{c=200}^{299} (W + kv·c)/(0.6·300e9).
    var dec = 0.0
    for c in 200..<300 { dec += (w + kv * Double(c)) / bw }
    XCTAssertEqual(cost.decodeSeconds, dec, accuracy: 1e-9)
    let o = env.previewOutcome([0])
    XCTAssertEqual(o.transmit[0], air + down, accuracy: 1e-9)
    XCTAssertEqual(o.queue[0], 0, accuracy: 1e-12)
    XCTAssertEqual(o.compute[0], cost.totalSeconds, accuracy: cost.totalSeconds * 1e-9)
    let lat = air + down + cost.totalSeconds
    XCTAssertEqual(o.latency[0], lat, accuracy: 1e-6)
    // Energy (decision accounting): 0.2 W × uplink airtime + 0.5 W receive × downlink airtime; no idle wait.
    XCTAssertEqual(o.energy[0], 0.2 * air + 0.5 * down, accuracy: 1e-12)
    // The original accounting (switch): 0.2 W × uplink airtime + 0.1 W idle × the rest of the wait.
    let old = try oneUser { $0.energyAccounting = .idleWait }
    _ = old.reset(seed: 3)
    XCTAssertEqual(old.previewOutcome([0]).energy[0], 0.2 * air + 0.1 * (lat - air), accuracy: 1e-9)
    XCTAssertEqual(o.accuracy[0], card.tasks["knowledge"]!.accuracy, accuracy: 1e-12)
    XCTAssertEqual(o.effAccuracy[0], lat <= 30 ? o.accuracy[0] : 0)
  }

  /// Waiting at the edge costs the device nothing: behind a busy edge the latency grows, the energy does not;
  /// budgets come from the device class table.
  func testIdleWaitIsNotChargedAndBudgetsPerClass() throws {
    let env = try oneUser { s in
      s.users = 3; s.edgeGPUs = 1; s.maxBatch = 1; s.deviceNames = ["phone-12gb", "laptop-16gb"]
      s.energyBudgetsW = ["phone": 0.25, "laptop": 0.75]; s.energyBudgetW = 9
    }
    _ = env.reset(seed: 3)
    for u in 0..<3 {
      XCTAssertEqual(env.energyBudget[u], env.layout.users[u].device.deviceClass == .phone ? 0.25 : 0.75)
      XCTAssertEqual(env.energyUnit[u], env.energyBudget[u] * 1 / 1)   // τ = 1 s, λ = 1
    }
    let lone = env.previewOutcome([0, 1, 1])
    let busy = env.previewOutcome([0, 0, 0])   // three offloaders, one GPU, batch 1: queues form
    let n0 = pow(10, -20.4)
    for (o, k) in [(lone, 1.0), (busy, 3.0)] {
      let b = 2e6 / k
      let up = b * log2(1 + 0.2 * env.gain[0] / (n0 * b)), down = b * log2(1 + 10 * env.gain[0] / (n0 * b))
      let air = (1e6 + 32 * 200) / up, dl = 32 * 100 / down
      XCTAssertEqual(o.energy[0], 0.2 * air + 0.5 * dl, accuracy: 1e-12)
    }
    XCTAssertGreaterThan(busy.queue.max()!, 1)
  }

  func testLocalSlotByHandAndBacklog() throws {
    let env = try oneUser()
    _ = env.reset(seed: 3)
    let dev = try DeviceProfile.named("phone-12gb")
    let hosted = env.layout.users[0].variants[0]
    let cost = try AnalyticModel.queryCost(card: hosted.card, device: dev, query: QueryShape(promptTokens: 200, outputTokens: 100))
    let st = try env.step([1])
    let o = env.lastOutcome
    XCTAssertEqual(o.compute[0], cost.totalSeconds, accuracy: cost.totalSeconds * 1e-9)
    XCTAssertEqual(o.latency[0], cost.totalSeconds, accuracy: 1e-6)
    XCTAssertEqual(o.energy[0], 6 * cost.totalSeconds, accuracy: 1e-6)  // phone-12gb active power 6 W
    XCTAssertEqual(st.info.metrics[MECEnv.infoKeyList.firstIndex(of: "energy_total")!], 6 * cost.totalSeconds, accuracy: 1e-6)
    // Next slot (t = 1 s): the new local query waits for the remaining backlog.
    let o2 = env.previewOutcome([1])
    XCTAssertEqual(o2.queue[0], cost.totalSeconds - 1, accuracy: 1e-6)
    XCTAssertEqual(o2.latency[0], 2 * cost.totalSeconds - 1, accuracy: 1e-6)
  }

  /// Closed-form decode sum equals EdgeProfiles' token-by-token sum, also when part of it is compute-bound.
  func testClosedFormDecodeMatchesTokenLoop() throws {
    let cfg = AnalyticModelConfig()
    for card in try ModelCard.paperScale.prefix(6) {
      for dname in ["phone-8gb", "rpi5-8gb", "edge-gpu-l4"] {
        var dev = try DeviceProfile.named(dname)
        for slowCompute in [false, true] {
          if slowCompute { dev.peakFLOPS = 2e10 }  // forces a compute-bound regime at short context
          let h = try HostedModel(card: card, device: dev, classes: TaskClass.all, config: cfg)
          for (n, m) in [(1, 1), (64, 32), (300, 200), (2000, 7)] {
            let ref = try AnalyticModel.queryCost(card: card, device: dev, query: QueryShape(promptTokens: n, outputTokens: m), config: cfg)
            XCTAssertEqual(h.decodeSeconds(prompt: n, output: m), ref.decodeSeconds, accuracy: ref.decodeSeconds * 1e-9)
          }
        }
      }
    }
  }

  /// Two offloaders in one slot: bandwidth halves and the shorter stream decodes at the batch-2 rate.
  func testBatchedDecodeAndSharedBandwidth() throws {
    let env = try oneUser { s in
      s.users = 2; s.outputTokensMin = 40; s.outputTokensMax = 200; s.maxDistanceKm = 0.2; s.edgeScheduler = .slotBatch
    }
    _ = env.reset(seed: 11)
    let q = env.queries
    XCTAssertEqual(q.count, 2)
    let o = env.previewOutcome([0, 0])
    let n0 = pow(10, -20.4), b = 1e6
    for u in 0..<2 {
      let r = b * log2(1 + 0.2 * env.gain[u] / (n0 * b))
      let down = b * log2(1 + 10 * env.gain[u] / (n0 * b))
      XCTAssertEqual(o.transmit[u], (1e6 + 32 * 200) / r + 32 * Double(q[u].output) / down, accuracy: 1e-9)
    }
    let e = env.layout.edge
    let prefill = e.prefillSeconds(400)
    let t1 = e.decodeSecondsPerToken(context: (200 + Double(q[0].output - 1) / 2 + 200 + Double(q[1].output - 1) / 2) / 2)
    let (lo, hi) = q[0].output <= q[1].output ? (0, 1) : (1, 0)
    let mLo = Double(q[lo].output), mHi = Double(q[hi].output)
    XCTAssertEqual(o.compute[lo], prefill + mLo * t1 * 1.286, accuracy: 1e-9)
    XCTAssertEqual(o.compute[hi], prefill + mLo * t1 * 1.286 + (mHi - mLo) * t1, accuracy: 1e-9)
    // Both start when the later upload is done.
    let start = max(o.transmit[0] - 32 * Double(q[0].output) / (b * log2(1 + 10 * env.gain[0] / (n0 * b))),
                    o.transmit[1] - 32 * Double(q[1].output) / (b * log2(1 + 10 * env.gain[1] / (n0 * b))))
    for u in 0..<2 { XCTAssertEqual(o.queue[u] + o.ready[u], start, accuracy: 1e-9) }
  }
}
