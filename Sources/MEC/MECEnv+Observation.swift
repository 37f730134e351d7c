// Observation and info construction of the MEC env (layout documented in MECEnv.swift).
import Foundation
import EnvKit

extension MECEnv {
  func observation() -> [Float] {
    let s = scenario, F = MECEnv.featuresPerUser
    var o = [Float](repeating: 0, count: observationSpace.count)
    let now = Double(slot) * s.slotSeconds
    var pendingUsers = 0
    @inline(__always) func put(_ i: Int, _ v: Double) { o[i] = Float(min(max(v, -10), 10)) }
    for u in 0..<numUsers {
      let b = u * F, c = queryCount[u]
      if c > 0 { pendingUsers += 1 }
      var promptSum = 0, outSum = 0, svc = 0.0, en = 0.0
      let best = layout.users[u].variants.first
      for i in firstQuery[u]..<(firstQuery[u] + c) {
        let q = queries[i]
        promptSum += q.prompt; outSum += q.output
        if let h = best {
          let t = h.serviceSeconds(prompt: q.prompt, output: q.output)
          svc += t
          en += t * layout.users[u].device.activePowerW
        }
      }
      put(b, Double(c))
      put(b + 1, Double(promptSum) / Double(s.promptTokensMax))
      put(b + 2, Double(outSum) / Double(s.outputTokensMax))
      if c > 0 { o[b + 3 + queries[firstQuery[u]].taskClass % 3] = 1 }
      put(b + 6, (10 * log10(max(gain[u], 1e-30)) + 120) / 10)
      put(b + 7, max(deviceFreeAt[u] - now, 0) / s.deadlineSeconds)
      put(b + 8, svc / s.deadlineSeconds)
      put(b + 9, en / energyUnit[u])
      put(b + 10, energyQueue[u] / 10)
      put(b + 11, (10 * log10(max(largeScale[u], 1e-30)) + 120) / 10)
      put(b + 12, energyBudget[u])
    }
    let g = numUsers * F
    var meanB = 0.0, minB = Double.infinity
    for f in gpuFreeAt { let bk = max(f - now, 0); meanB += bk; minB = min(minB, bk) }
    meanB /= Double(gpuFreeAt.count)
    put(g, meanB / s.deadlineSeconds)
    put(g + 1, minB / s.deadlineSeconds)
    put(g + 2, accuracyQueue / 10)
    put(g + 3, hallucinationQueue / 10)
    put(g + 4, Double(slot) / Double(s.horizon))
    put(g + 5, Double(pendingUsers) / Double(numUsers))
    for j in 0..<3 { put(g + 6 + j, multipliers[j] / 10) }
    for k in 0..<gpuFreeAt.count {
      put(g + MECEnv.globalFeatures + 2 * k, max(gpuFreeAt[k] - now, 0) / s.deadlineSeconds)
      let e = engines[k]
      put(g + MECEnv.globalFeatures + 2 * k + 1, Double(e.runningCount + e.waitingCount) / Double(s.maxBatch))
    }
    return o
  }

  func makeInfo(_ o: SlotOutcome) -> StepInfo {
    let s = scenario, nq = queries.count
    let now = Double(slot) * s.slotSeconds
    var lat = 0.0, tx = 0.0, qu = 0.0, cp = 0.0, miss = 0.0, en = 0.0, acc = 0.0, eff = 0.0, hal = 0.0, off = 0.0
    var shortfall = 0.0, halEx = 0.0
    for i in 0..<nq {
      lat += o.latency[i]; tx += o.transmit[i]; qu += o.queue[i]; cp += o.compute[i]
      if o.latency[i] > s.deadlineSeconds { miss += 1 }
      en += o.energy[i]; acc += o.accuracy[i]; eff += o.effAccuracy[i]; hal += o.hallucination[i]
      if o.model[i] < 0 { off += 1 }
      shortfall += max(s.minAccuracy - o.effAccuracy[i], 0)
      halEx += max(o.hallucination[i] - s.maxHallucination, 0)
    }
    let d = nq > 0 ? Double(nq) : 1
    var excess = 0.0, slackE = 0.0
    for u in 0..<numUsers {
      let w = o.userEnergy[u] / s.slotSeconds
      excess += max(w - energyBudget[u], 0) / energyBudget[u]
      slackE += energyBudget[u] - w
    }
    excess /= Double(numUsers)
    slackE /= Double(numUsers)
    var backlog = 0.0
    for f in o.gpuFreeAt { backlog += max(f - now, 0) }
    backlog /= Double(o.gpuFreeAt.count)
    let meanDevEnergy = en / Double(numUsers) / s.slotSeconds
    let metrics: [Double] = [
      Double(nq), lat / d, tx / d, qu / d, cp / d, miss / d, en, meanDevEnergy, acc / d, eff / d, hal / d, off / d,
      slackE, nq > 0 ? eff / d - s.minAccuracy : 0,
      nq > 0 ? s.maxHallucination - hal / d : 0,
      energyQueue.reduce(0, +) / Double(numUsers), accuracyQueue, hallucinationQueue, backlog, o.penalty, 0, 0, 0]
    return StepInfo(metrics: metrics, costs: [excess, shortfall, halEx])
  }
}

extension MECEnv {
  /// Fills the info's settlement fields (queries settled in the step, their mean realized latency and
  /// effective accuracy) once the edge has run to the end of the slot.
  func addSettled(_ info: inout StepInfo) {
    let k = MECEnv.infoKeyList.count - 3
    var lat = 0.0, eff = 0.0
    for r in lastSettled { lat += r.latency; eff += r.effAccuracy }
    let c = Double(lastSettled.count)
    info.metrics[k] = c
    info.metrics[k + 1] = c > 0 ? lat / c : 0
    info.metrics[k + 2] = c > 0 ? eff / c : 0
  }
}
