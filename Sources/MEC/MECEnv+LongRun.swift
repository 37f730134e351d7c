// Settlement of queries and long-run constraint accounting per device.
//
// A query is *settled* when its realized outcome is known: local queries and slot-batch edge queries at the
// slot they are decided (their latency is fixed then); continuous-batching edge queries when the engine emits
// their last token (later joiners may have slowed them down, so the realized latency can exceed the
// decision-time projection in `SlotOutcome`). Realized latency = done + downlink airtime − arrival.
// `lastSettled` lists the queries settled by the last step; at the episode's end the edge finishes what it
// holds, so every query of an episode is settled within it.
//
// Long-run accounting (the paper's constraints are long-term averages per device, not per short episode):
// per user u, over every slot since the last seeded reset (pooled over the episodes of the stream):
//   energy power   Ē_u = Σ_t e_u(t) / (slots·τ)                    limit: Ē_u ≤ ē_u (its device class budget)
//   effective acc. Ā_u = Σ_settled effAcc / settled queries          limit: Ā_u ≥ A_min
//   hallucination  H̄_u = Σ_settled h / settled queries               limit: H̄_u ≤ H_max
// The virtual queues and multipliers that turn these into the reward carry across episode boundaries too
// (MECEnv.reset), so a policy that sees them sees the long-run state.
import Foundation

/// What the env keeps about an offloaded query until the edge finishes it.
struct EdgeJob: Sendable, Equatable {
  var user: Int, arrival: Double, downAir: Double, deadline: Double
  var accuracy: Double, hallucination: Double, tokens: Int
}

/// One settled query.
public struct MECSettled: Sendable, Equatable {
  public var user: Int
  public var offloaded: Bool
  /// Realized latency (s), and the accuracy that counts (0 past the deadline).
  public var latency: Double, effAccuracy: Double, accuracy: Double, hallucination: Double
}

/// Long-run per-user sums (see the header).
public struct MECLongRun: Sendable, Equatable {
  public internal(set) var slots = 0, episodes = 0
  public internal(set) var energy: [Double], queries: [Int]
  public internal(set) var effAccuracy: [Double], accuracy: [Double], hallucination: [Double], latency: [Double]

  init(users n: Int) {
    energy = [Double](repeating: 0, count: n); queries = [Int](repeating: 0, count: n)
    effAccuracy = energy; accuracy = energy; hallucination = energy; latency = energy
  }

  mutating func add(_ s: MECSettled) {
    queries[s.user] += 1
    effAccuracy[s.user] += s.effAccuracy; accuracy[s.user] += s.accuracy
    hallucination[s.user] += s.hallucination; latency[s.user] += s.latency
  }

  /// Long-run average power of user u (W).
  public func power(_ u: Int, slotSeconds: Double) -> Double { slots > 0 ? energy[u] / (Double(slots) * slotSeconds) : 0 }
}

extension MECEnv {
  /// Commits the slot's queries: ledger, settlement of what is already known, edge dispatch, energy sums.
  func commitQueries(_ o: SlotOutcome) {
    let s = scenario, now = Double(slot) * s.slotSeconds
    lastSettled.removeAll(keepingCapacity: true)
    let base = nextRequestId
    for (i, q) in queries.enumerated() {
      let tokens = q.prompt + q.output
      if o.model[i] < 0 && s.edgeScheduler == .continuous {
        inFlight[base + i] = EdgeJob(user: q.user, arrival: now, downAir: o.downAir[i], deadline: s.deadlineSeconds,
                                     accuracy: o.accuracy[i], hallucination: o.hallucination[i], tokens: tokens)
        ledger.admit(tokens: tokens, place: -1 - o.gpu[i], start: o.startAt[i], done: .infinity, id: base + i)
      } else {
        ledger.admit(tokens: tokens, place: o.model[i] < 0 ? -1 - o.gpu[i] : q.user, start: o.startAt[i],
                     done: o.doneAt[i], id: base + i)
        settle(MECSettled(user: q.user, offloaded: o.model[i] < 0, latency: o.latency[i],
                          effAccuracy: o.effAccuracy[i], accuracy: o.accuracy[i], hallucination: o.hallucination[i]))
      }
    }
    nextRequestId = base + queries.count
    if s.edgeScheduler == .continuous { engines = o.engines }
    longRun.slots += 1
    for u in 0..<numUsers { longRun.energy[u] += o.userEnergy[u] }
  }

  func settle(_ r: MECSettled) {
    lastSettled.append(r)
    longRun.add(r)
  }

  /// Runs the edge engines to time `t` (∞: until they are empty) and settles the queries they finish.
  func advanceEdge(to t: Double) {
    guard scenario.edgeScheduler == .continuous else { return }
    let cost = edgeCost
    for g in 0..<engines.count {
      engines[g].run(until: t, cost, done: { id, time in
        guard let j = inFlight.removeValue(forKey: id) else { return }
        let latency = time + j.downAir - j.arrival
        ledger.finish(id: id, at: time)
        settle(MECSettled(user: j.user, offloaded: true, latency: latency,
                          effAccuracy: latency <= j.deadline ? j.accuracy : 0, accuracy: j.accuracy,
                          hallucination: j.hallucination))
      })
    }
  }
}
