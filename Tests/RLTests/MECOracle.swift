// Oracle references for the MEC world-model breakdown: what an agent that knows the simulator's full state can
// predict about the next observation.
//  - `predictable(env, actions)`: the next observation's device backlogs, energy queues, edge backlogs (mean,
//    min), accuracy / hallucination virtual queues and slot index, computed from the env's *current full state*
//    and the action through `previewOutcome` (the slot model without committing) and the queue updates of
//    `MECEnv.step`. In `step`, all randomness (channel innovation, arrivals) is drawn *after* the slot is
//    evaluated and the queues are updated, and the quality of an answer is the card's per-class accuracy /
//    hallucination rate (an expectation, not a Bernoulli draw), so these dims are a deterministic function of
//    (state, action): the oracle's error on them is the floor, and it is checked to be exactly 0 on the
//    simulator (MECOracleTests). The observation itself does *not* carry the full state: the edge backlog is
//    observed as mean and min over the 4 GPUs, so the per-GPU backlogs (and hence the next mean / min) are
//    not a function of the current observation alone; they are a function of the observed history (all
//    random draws are revealed in the observation up to Float rounding), which a recurrent model can use.
//  - `gainFloor(re:im:largeScale:rho:samples:rng:)`: the conditional variance of the next observed channel-gain
//    feature given the true complex channel h_t (Gauss–Markov fading), by Monte Carlo.
import Foundation
@testable import MEC
@testable import RL
import TensorCore

enum MECOracle {
  /// Predictable dims of the next observation (dimension index → value) from the env's full state and `actions`.
  static func predictable(_ env: MECEnv, _ actions: [Int]) -> [(dim: Int, value: Float)] {
    let s = env.scenario, n = env.numUsers, f = MECEnv.featuresPerUser, g = n * f
    let o = env.previewOutcome(actions)
    let next = Double(env.slot + 1) * s.slotSeconds
    func clip(_ v: Double) -> Float { Float(min(max(v, -10), 10)) }
    var out: [(Int, Float)] = []
    for u in 0..<n {
      out.append((u * f + 7, clip(max(o.deviceFreeAt[u] - next, 0) / s.deadlineSeconds)))
      let d = (o.userEnergy[u] - env.energyBudget[u] * s.slotSeconds) / env.energyUnit[u]
      out.append((u * f + 10, clip(max(env.energyQueue[u] + s.energyQueueScale * d, 0) / 10)))
      out.append((u * f + 11, clip((10 * log10(max(env.largeScale[u], 1e-30)) + 120) / 10)))
      out.append((u * f + 12, clip(env.energyBudget[u])))
    }
    for k in 0..<o.gpuFreeAt.count {
      out.append((g + MECEnv.globalFeatures + 2 * k, clip(max(o.gpuFreeAt[k] - next, 0) / s.deadlineSeconds)))
    }
    var meanB = 0.0, minB = Double.infinity
    for fr in o.gpuFreeAt { let b = max(fr - next, 0); meanB += b; minB = min(minB, b) }
    meanB /= Double(o.gpuFreeAt.count)
    out.append((g, clip(meanB / s.deadlineSeconds)))
    out.append((g + 1, clip(minB / s.deadlineSeconds)))
    out.append((g + 2, clip(max(env.accuracyQueue + o.accuracyDeviation, 0) / 10)))
    out.append((g + 3, clip(max(env.hallucinationQueue + o.hallucinationDeviation, 0) / 10)))
    out.append((g + 4, clip(Double(env.slot + 1) / Double(s.horizon))))
    return out
  }

  /// Var(x_{t+1} | h_t) of the observed gain feature x = clip((10·log10 g + 120)/10) (raw units) and of
  /// symlog(x), for one user: h_{t+1} = ρ·h_t + sqrt((1−ρ²)/2)·(w_re + i·w_im), g = largeScale·|h|².
  /// Unbiased sample variances over `samples` draws.
  static func gainFloor(re: Double, im: Double, largeScale: Double, rho: Double, samples: Int,
                        rng: inout RNG) -> (sym: Double, raw: Double) {
    let innov = (max(0, 1 - rho * rho) * 0.5).squareRoot()
    var a1 = 0.0, a2 = 0.0, b1 = 0.0, b2 = 0.0
    for _ in 0..<samples {
      let r = rho * re + innov * rng.normal(), i = rho * im + innov * rng.normal()
      let gain = largeScale * (r * r + i * i)
      let x = Double(Float(min(max((10 * log10(max(gain, 1e-30)) + 120) / 10, -10), 10)))
      let y = Double(symlog(Float(x)))
      a1 += y; a2 += y * y; b1 += x; b2 += x * x
    }
    let m = Double(samples)
    return (max(a2 - a1 * a1 / m, 0) / (m - 1), max(b2 - b1 * b1 / m, 0) / (m - 1))
  }
}
