// Where WM-PPO's imagination starts and what it runs on. A branch is a row t·N+e of the newest real rollout:
// its raw observation and mask, plus either the learned model's state before step t (GRU hidden state and
// running means from the last training pass) or, for the perfect-model ablation, an exact snapshot of the real
// env before step t whose exogenous random streams are re-seeded per branch (a fresh sample of the true
// transition distribution, not a replay of the real future).
// Critic targets in imagination: every imagined state ŝ_k, k = 1…H−1, that is still alive regresses towards
// its TD(λ) target along the imagined trajectory, G_k = r̂_k + γ c_k ((1−λ) V(ŝ_{k+1}) + λ G_{k+1}),
// G_H = V(ŝ_H) (ImaginedRollout.lambdaReturns) — Dreamer's critic targets (Hafner et al. 2020), MVE's TD-k.
import EnvKit
import TensorCore

struct BranchSource {
  let buffer: RolloutBuffer
  var models: [WorldModel] = []
  var hidden: [[Float]] = []
  var pools: [[Float]] = []
  var snapshots: [AnyEnvironment] = []
  var residualSampling = false
  var maskSampling = true

  init(buffer: RolloutBuffer, models: [WorldModel], hidden: [[Float]], pools: [[Float]]) {
    self.buffer = buffer; self.models = models; self.hidden = hidden; self.pools = pools
  }
  init(buffer: RolloutBuffer, snapshots: [AnyEnvironment]) {
    self.buffer = buffer; self.snapshots = snapshots
  }

  /// Imagines `horizon` steps of `policy` from the real rows `rows` in model `member` (or the simulator).
  func imagine(rows: [Int], member k: Int, horizon: Int, policy: ImaginationPolicy, rng: RNG) throws -> ImaginedRollout {
    let d = buffer.obsDim, m = buffer.maskDim
    var o: [Float] = []
    o.reserveCapacity(rows.count * d)
    for r in rows { o += buffer.rawObs[(r * d)..<((r + 1) * d)] }
    var act: RNG? = rng.split("act")
    if !snapshots.isEmpty {
      guard rows.allSatisfy({ $0 < snapshots.count }) else { throw RLError.shape("simulator branch rows outside the snapshots") }
      var seeds = rng.split("exogenous")
      var state: [AnyEnvironment] = try rows.map { r in
        guard var e = snapshots[r].clone() else { throw RLError.invalidConfig("environment cannot be snapshotted") }
        e.reseedExogenous(seeds.next())
        return e
      }
      return try RL.imagine(model: SimulatorModel<AnyEnvironment>(), state: &state, startObs: o, batch: rows.count,
                            obsDim: d, horizon: horizon, policy: policy, rng: &act)
    }
    let model = models[k], hd = model.stateWidth
    var h: [Float] = [], mk: [Bool] = []
    h.reserveCapacity(rows.count * hd)
    for r in rows {
      h += hidden[k][(r * hd)..<((r + 1) * hd)]
      if m > 0 { mk += buffer.masks[(r * m)..<((r + 1) * m)] }
    }
    var st = LearnedImagination.State(h: h, masks: m > 0 ? mk : nil)
    if residualSampling { st.rng = rng.split("residual") }
    if maskSampling { st.maskRNG = rng.split("mask") }
    return try RL.imagine(model: LearnedImagination(model: model, residuals: pools[k]), state: &st, startObs: o,
                          batch: rows.count, obsDim: d, horizon: horizon, policy: policy, rng: &act)
  }
}

extension ImaginedRollout {
  /// Critic training rows from this rollout: raw observations ŝ_k [R×D] and TD(λ) targets G_k [R] for
  /// k = 1…H−1 on branches still alive at ŝ_k (k = 0 is the real state, trained on its GAE return already).
  public func criticTargets(gamma: Float, lambda: Float) -> (obs: [Float], returns: [Float]) {
    let g = lambdaReturns(gamma: gamma, lambda: lambda)
    var obs: [Float] = [], ret: [Float] = []
    for k in 1..<max(1, horizon) {
      for b in 0..<batch where isLive(k * batch + b) {
        let i = k * batch + b
        obs += self.obs[(i * obsDim)..<((i + 1) * obsDim)]
        ret.append(g[i])
      }
    }
    return (obs, ret)
  }
}
