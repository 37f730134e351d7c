// One slot of the MEC system as a pure function of (state, actions) → outcome. `step` commits it; the
// full-knowledge baselines call `preview` to score candidate action vectors without changing the env.
//
// Timing: queries arrive at the start of slot t (time s = t·τ) and are decided at once. Per query i of user u:
//  local (variant v):  starts when the device is free: start = max(deviceFree_u, s) (FIFO device backlog);
//                      queue = start − s; compute = prefill(n) + Σ decode (EdgeProfiles roofline of the
//                      variant on the device); transmit = 0.
//  offload:            the K offloading users share the band equally (B/K each, up and down); the user's
//                      queries upload one after another: ready_i = s + Σ_{j≤i} bits_j / r_up (bits = overhead
//                      + uplinkBitsPerToken·n); downlink airtime = m·downlinkBitsPerToken / r_down.
//                      Edge service (SlotModel+Edge.swift): `continuous` = iteration-level batching across
//                      slots (EdgeEngine.swift); `slot-batch` = the original static batches of one slot.
//                      queue = join − ready; compute = done − join; transmit = upload wait + own uplink
//                      airtime + downlink airtime. With continuous batching the outcome is the *projection*
//                      at decision time (no later arrivals); later joiners can slow a stream down, and the
//                      env reports each offloaded query's realized latency when it completes (`settled`).
//  energy (what the decision adds; energyAccounting = decision, the default):
//                      local   e = activePower · compute
//                      offload e = transmitPower · own uplink airtime + receivePowerW · downlink airtime
//                      (waiting idle for the answer costs nothing extra: the device idles either way).
//                      energyAccounting = idle-wait (the original accounting, kept for comparison): offload
//                      e = transmitPower · uplink airtime + idlePower · (latency − uplink airtime).
//  quality:            accuracy a and hallucination h of the answering model for the query's class;
//                      effective accuracy = a if latency ≤ deadline else 0.
// Per-slot objective terms, with e_u = energy (J) of user u's decisions in this slot, ē_u the budget of u's
// device class (W) and the energy unit U_u = ē_u·τ/λ (the per-query allowance that keeps the long-term
// average at ē_u at arrival rate λ; U_u = ē_u·τ when λ = 0):  d_u = (e_u − ē_u·τ) / U_u:
//   penalty P = Σ_i latency_i / deadline
//   Lyapunov drift-plus-penalty  V·P + Σ_u Y_u·ν·d_u + Z·Σ_i(A_min − effAcc_i) + H·Σ_i(h_i − H_max)
//   Lagrangian                   P + λ_E·Σ_u d_u + λ_A·Σ_i(A_min − effAcc_i) + λ_H·Σ_i(h_i − H_max)
//   greedy (myopic, constrained) 1000·violation + P, violation = Σ_u max(e_u − q_u·U_u, 0)/U_u
//                                + Σ_i max(A_min − effAcc_i, 0) + Σ_i max(h_i − H_max, 0)
//                                (q_u queries of user u)
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
  /// Device backlog end and, per edge GPU, the projected time it finishes all it holds (no later arrivals).
  public var deviceFreeAt: [Double] = [], gpuFreeAt: [Double] = []
  public var penalty = 0.0, energyDeviation = 0.0, accuracyDeviation = 0.0, hallucinationDeviation = 0.0
  public var lyapunovObjective = 0.0, lagrangeObjective = 0.0, greedyObjective = 0.0, violation = 0.0
  public var offloadedUsers = 0
  /// Σ_u e_u: the devices' energy of the slot's decisions (J).
  public var energyTotal = 0.0
  /// Edge engines after this slot's dispatch (continuous scheduler; committed by `step`).
  var engines: [EdgeGPUState] = []
  // scratch
  var ready: [Double] = [], order: [Int] = [], upAir: [Double] = [], downAir: [Double] = []
}

public enum SlotObjective: String, Sendable { case lyapunov, lagrange, greedy, penalty, energy }

extension SlotOutcome {
  public func objective(_ k: SlotObjective) -> Double {
    switch k {
    case .lyapunov: return lyapunovObjective
    case .lagrange: return lagrangeObjective
    case .greedy: return greedyObjective
    case .penalty: return penalty
    case .energy: return energyTotal
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
              \.hallucination, \.doneAt, \.startAt, \.ready, \.upAir, \.downAir] { resize(&o[keyPath: k], nq) }
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
          o.downAir[i] = Double(q.output) * s.downlinkBitsPerToken / max(down, 1e-9)
          o.transmit[i] = (t - now) + o.downAir[i]
          o.model[i] = -1
          o.order.append(i)
        }
      } else {
        let h = layout.users[u].variants[a - 1]
        let power = layout.users[u].device.activePowerW
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
          o.energy[i] = power * svc
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

    if !o.order.isEmpty {
      let ready = o.ready
      o.order.sort { ready[$0] < ready[$1] || (ready[$0] == ready[$1] && $0 < $1) }
      switch s.edgeScheduler {
      case .continuous: edgeContinuous(&o)
      case .slotBatch: edgeSlotBatch(&o)
      }
      let e = layout.edge
      for i in o.order {
        let q = queries[i], dev = layout.users[q.user].device
        o.latency[i] = o.transmit[i] + o.queue[i] + o.compute[i]
        switch s.energyAccounting {
        case .decision: o.energy[i] = dev.transmitPowerW * o.upAir[i] + s.receivePowerW * o.downAir[i]
        case .idleWait: o.energy[i] = dev.transmitPowerW * o.upAir[i] + dev.idlePowerW * (o.latency[i] - o.upAir[i])
        }
        o.accuracy[i] = e.accuracy[q.taskClass]
        o.hallucination[i] = e.hallucination[q.taskClass]
      }
    } else if s.edgeScheduler == .continuous {
      o.engines = engines
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
    var yTerm = 0.0, dSum = 0.0
    for u in 0..<n {
      let d = energyDeviation(u, o.userEnergy[u])
      dSum += d
      yTerm += energyQueue[u] * s.energyQueueScale * d
      if queryCount[u] > 0 { viol += max(o.userEnergy[u] - Double(queryCount[u]) * energyUnit[u], 0) / energyUnit[u] }
    }
    o.penalty = pen
    o.energyTotal = o.userEnergy.reduce(0, +)
    o.energyDeviation = dSum
    o.accuracyDeviation = dA
    o.hallucinationDeviation = dH
    o.violation = viol
    o.lyapunovObjective = s.lyapunovV * pen + yTerm + accuracyQueue * dA + hallucinationQueue * dH
    o.lagrangeObjective = pen + multipliers[0] * dSum + multipliers[1] * dA + multipliers[2] * dH
    o.greedyObjective = 1000 * viol + pen
  }

  /// d_u = (e_u − ē_u·τ) / U_u: user u's energy deviation from its budget in allowance units.
  @inline(__always)
  public func energyDeviation(_ u: Int, _ joules: Double) -> Double {
    (joules - energyBudget[u] * scenario.slotSeconds) / energyUnit[u]
  }
}
