// One slot of the MEC system as a pure function of (state, actions) → outcome. `step` commits it; the
// full-knowledge baselines call `preview` to score candidate action vectors without changing the env.
//
// Timing: queries arrive at the start of slot t (time s = t·τ) and are decided at once. Per query i of user u:
//  local (variant v):  starts when the device is free: start = max(deviceFree_u, s) (FIFO device backlog);
//                      queue = start − s; compute = prefill(n) + Σ decode (EdgeProfiles roofline of the
//                      variant on the device); transmit = 0; energy = activePower · compute.
//  offload:            the K offloading users share the band equally (B/K each, up and down); the user's
//                      queries upload one after another: ready_i = s + Σ_{j≤i} bits_j / r_up (bits = overhead
//                      + uplinkBitsPerToken·n). The edge forms batches of ≤ maxBatch queries in order of
//                      readiness; each batch goes to the edge GPU that frees first and starts at
//                      max(gpuFree, last member ready). Batch time: prefill(Σ n) then decode in lock step;
//                      a decode step with b active streams takes t1·(1 + α(b−1)), t1 = roofline seconds/token
//                      at the batch's mean context (n + (m−1)/2, exact for a lone stream), so each stream's rate falls with the batch size
//                      and a stream finishes after its own m tokens. queue = start − ready; compute = prefill +
//                      own decode time; transmit = upload wait + own uplink airtime + downlink airtime
//                      (m·downlinkBitsPerToken / r_down). Energy = transmitPower · own uplink airtime + idlePower
//                      · (latency − own uplink airtime) (the device waits idle for the answer).
//  quality:            accuracy a and hallucination h of the answering model for the query's class;
//                      effective accuracy = a if latency ≤ deadline else 0.
// Per-slot objective terms, with e_u = energy (J) of user u's decisions in this slot and the energy unit
// U = ē·τ/λ (the per-query allowance that keeps the long-term average at the budget ē at arrival rate λ;
// U = ē·τ when λ = 0):  d_u = (e_u − ē·τ) / U  (dimensionless, ≈ queries' worth of energy over budget):
//   penalty P = Σ_i latency_i / deadline
//   Lyapunov drift-plus-penalty  V·P + Σ_u Y_u·ν·d_u + Z·Σ_i(A_min − effAcc_i) + H·Σ_i(h_i − H_max)
//   Lagrangian                   P + λ_E·Σ_u d_u + λ_A·Σ_i(A_min − effAcc_i) + λ_H·Σ_i(h_i − H_max)
//   greedy (myopic, constrained) 1000·violation + P, violation = Σ_u max(e_u − q_u·ē·τ/λ, 0)/(ē·τ/λ)
//                                + Σ_i max(A_min − effAcc_i, 0) + Σ_i max(h_i − H_max, 0)
//                                (q_u queries of user u; ē·τ/λ is the per-query energy allowance that keeps
//                                the long-term average within budget at arrival rate λ)
import Foundation

/// What one slot produced (arrays are per query of the slot, in order of `MECEnv.queries`, or per user).
public struct SlotOutcome: Sendable, Equatable {
  public var latency: [Double] = [], transmit: [Double] = [], queue: [Double] = [], compute: [Double] = []
  public var energy: [Double] = [], accuracy: [Double] = [], effAccuracy: [Double] = []
  public var hallucination: [Double] = []
  /// -1 = answered at the edge, v >= 0 = local variant v.
  public var model: [Int] = []
  /// Completion time (absolute seconds) of each query's compute (for the token ledger).
  public var doneAt: [Double] = [], startAt: [Double] = []
  /// Edge GPU of each offloaded query (-1 for local).
  public var gpu: [Int] = []
  public var userEnergy: [Double] = []
  public var deviceFreeAt: [Double] = [], gpuFreeAt: [Double] = []
  public var penalty = 0.0, energyDeviation = 0.0, accuracyDeviation = 0.0, hallucinationDeviation = 0.0
  public var lyapunovObjective = 0.0, lagrangeObjective = 0.0, greedyObjective = 0.0, violation = 0.0
  public var offloadedUsers = 0
  // scratch
  var ready: [Double] = [], order: [Int] = [], upAir: [Double] = []
}

public enum SlotObjective: String, Sendable { case lyapunov, lagrange, greedy, penalty }

extension SlotOutcome {
  public func objective(_ k: SlotObjective) -> Double {
    switch k {
    case .lyapunov: return lyapunovObjective
    case .lagrange: return lagrangeObjective
    case .greedy: return greedyObjective
    case .penalty: return penalty
    }
  }
}

extension MECEnv {
  /// Scores `actions` for the current slot without changing the env ("full knowledge of the slot").
  /// Actions must be valid (see `validate`).
  public func preview(_ actions: [Int], objective: SlotObjective) -> Double {
    evaluate(actions, into: &scratch)
    return scratch.objective(objective)
  }

  /// The full outcome of `actions` for the current slot (a copy), without changing the env.
  public func previewOutcome(_ actions: [Int]) -> SlotOutcome {
    var o = SlotOutcome()
    evaluate(actions, into: &o)
    return o
  }

  func evaluate(_ actions: [Int], into o: inout SlotOutcome) {
    let s = scenario, nq = queries.count, n = numUsers
    let now = Double(slot) * s.slotSeconds
    func resize(_ a: inout [Double], _ c: Int) { if a.count != c { a = [Double](repeating: 0, count: c) } }
    for k in [\SlotOutcome.latency, \.transmit, \.queue, \.compute, \.energy, \.accuracy, \.effAccuracy,
              \.hallucination, \.doneAt, \.startAt, \.ready, \.upAir] { resize(&o[keyPath: k], nq) }
    if o.model.count != nq { o.model = [Int](repeating: 0, count: nq); o.gpu = [Int](repeating: -1, count: nq) }
    resize(&o.userEnergy, n)
    o.deviceFreeAt = deviceFreeAt
    o.gpuFreeAt = gpuFreeAt

    // Offloaders share the band.
    var k = 0
    for u in 0..<n where queryCount[u] > 0 && actions[u] == 0 { k += 1 }
    o.offloadedUsers = k
    let share = k > 0 ? s.bandwidthHz / Double(k) : s.bandwidthHz
    o.order.removeAll(keepingCapacity: true)

    for u in 0..<n {
      o.userEnergy[u] = 0
      let c = queryCount[u]
      if c == 0 { continue }
      let a = actions[u]
      let first = firstQuery[u]
      if a == 0 {
        let up = Channel.rate(bandwidthHz: share, powerW: layout.users[u].device.transmitPowerW, gain: gain[u], noisePSD: noisePSD)
        let down = Channel.rate(bandwidthHz: share, powerW: s.bsTransmitPowerW, gain: gain[u], noisePSD: noisePSD)
        var t = now
        for i in first..<(first + c) {
          let q = queries[i]
          let air = (s.uplinkOverheadBits + s.uplinkBitsPerToken * Double(q.prompt)) / max(up, 1e-9)
          t += air
          o.ready[i] = t
          o.upAir[i] = air
          o.transmit[i] = (t - now) + Double(q.output) * s.downlinkBitsPerToken / max(down, 1e-9)
          o.model[i] = -1
          o.order.append(i)
        }
      } else {
        let h = layout.users[u].variants[a - 1]
        var free = o.deviceFreeAt[u]
        for i in first..<(first + c) {
          let q = queries[i]
          let start = max(free, now)
          let svc = h.serviceSeconds(prompt: q.prompt, output: q.output)
          free = start + svc
          o.queue[i] = start - now
          o.compute[i] = svc
          o.transmit[i] = 0
          o.latency[i] = o.queue[i] + svc
          o.energy[i] = layout.users[u].device.activePowerW * svc
          o.accuracy[i] = h.accuracy[q.taskClass]
          o.hallucination[i] = h.hallucination[q.taskClass]
          o.model[i] = a - 1
          o.gpu[i] = -1
          o.startAt[i] = start
          o.doneAt[i] = free
        }
        o.deviceFreeAt[u] = free
      }
    }

    // Edge batches in order of readiness.
    if !o.order.isEmpty {
      let ready = o.ready
      o.order.sort { ready[$0] < ready[$1] || (ready[$0] == ready[$1] && $0 < $1) }
      var b0 = 0
      let e = layout.edge
      while b0 < o.order.count {
        let b1 = min(b0 + s.maxBatch, o.order.count)
        var g = 0
        for j in 1..<o.gpuFreeAt.count where o.gpuFreeAt[j] < o.gpuFreeAt[g] { g = j }
        var lastReady = 0.0, promptSum = 0, ctxSum = 0.0
        for j in b0..<b1 {
          let q = queries[o.order[j]]
          lastReady = max(lastReady, o.ready[o.order[j]])
          promptSum += q.prompt
          ctxSum += Double(q.prompt) + Double(q.output - 1) / 2
        }
        let b = b1 - b0
        let start = max(o.gpuFreeAt[g], lastReady)
        let prefill = e.prefillSeconds(promptSum)
        let t1 = e.decodeSecondsPerToken(context: ctxSum / Double(b))
        // Outputs in ascending order (insertion sort; b <= maxBatch).
        var outs = [Int](); outs.reserveCapacity(b)
        for j in b0..<b1 {
          let m = queries[o.order[j]].output
          var p = outs.count
          outs.append(m)
          while p > 0 && outs[p - 1] > m { outs[p] = outs[p - 1]; p -= 1 }
          outs[p] = m
        }
        // Finish time offset after decoding m tokens: piecewise over the sorted outputs.
        func decodeTime(_ m: Int) -> Double {
          var t = 0.0, prev = 0
          for (jj, mj) in outs.enumerated() {
            let upto = min(mj, m)
            if upto > prev {
              t += Double(upto - prev) * t1 * (1 + s.batchSlowdown * Double(b - 1 - jj))
              prev = upto
            }
            if mj >= m { break }
          }
          return t
        }
        var batchEnd = start
        for j in b0..<b1 {
          let i = o.order[j]
          let q = queries[i], u = q.user
          let comp = prefill + decodeTime(q.output)
          o.queue[i] = start - o.ready[i]
          o.compute[i] = comp
          o.latency[i] = o.transmit[i] + o.queue[i] + comp
          let dev = layout.users[u].device
          o.energy[i] = dev.transmitPowerW * o.upAir[i] + dev.idlePowerW * (o.latency[i] - o.upAir[i])
          o.accuracy[i] = e.accuracy[q.taskClass]
          o.hallucination[i] = e.hallucination[q.taskClass]
          o.gpu[i] = g
          o.startAt[i] = start
          o.doneAt[i] = start + comp
          batchEnd = max(batchEnd, start + comp)
        }
        o.gpuFreeAt[g] = batchEnd
        b0 = b1
      }
    }

    // Quality, energy and objectives.
    var pen = 0.0, dA = 0.0, dH = 0.0, viol = 0.0
    for i in 0..<nq {
      o.effAccuracy[i] = o.latency[i] <= s.deadlineSeconds ? o.accuracy[i] : 0
      o.userEnergy[queries[i].user] += o.energy[i]
      pen += o.latency[i] / s.deadlineSeconds
      dA += s.minAccuracy - o.effAccuracy[i]
      dH += o.hallucination[i] - s.maxHallucination
      viol += max(s.minAccuracy - o.effAccuracy[i], 0) + max(o.hallucination[i] - s.maxHallucination, 0)
    }
    let allowance = s.energyUnit
    var yTerm = 0.0, dSum = 0.0
    for u in 0..<n {
      let d = (o.userEnergy[u] - s.energyBudgetW * s.slotSeconds) / allowance
      dSum += d
      yTerm += energyQueue[u] * s.energyQueueScale * d
      if queryCount[u] > 0 { viol += max(o.userEnergy[u] - Double(queryCount[u]) * allowance, 0) / allowance }
    }
    o.penalty = pen
    o.energyDeviation = dSum
    o.accuracyDeviation = dA
    o.hallucinationDeviation = dH
    o.violation = viol
    o.lyapunovObjective = s.lyapunovV * pen + yTerm + accuracyQueue * dA + hallucinationQueue * dH
    o.lagrangeObjective = pen + multipliers[0] * dSum + multipliers[1] * dA + multipliers[2] * dH
    o.greedyObjective = 1000 * viol + pen
  }
}
