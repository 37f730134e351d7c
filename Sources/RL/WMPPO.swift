// WM-PPO: PPO plus a recurrent world model used in three switchable ways (each an ablation switch):
//  (i)  value targets: the GAE return R_t is blended with an imagined H-step λ-return from the same real
//       state, R'_t = (1−β)·R_t + β·G^imag_t (MVE, Feinberg et al. 2018); with an ensemble of K models,
//       `steve` weights the horizons h = 1…H by the inverse variance of their K estimates
//       (STEVE, Buckman et al. 2018) before blending;
//  (ii) imagination rollouts: short (1–5 step) rollouts of the current policy inside the model, branched
//       from real states, appended to the PPO batch at most `rolloutRatio` × the real batch size
//       (MBPO-style branching, Janner et al. 2019), with GAE over the imagined segment;
//  (iii) a gate: (i) and (ii) are used only while the model's held-out one-step error is below
//       `gateRatio` × the predict-the-last-observation baseline's error and (gateOnReward) its reward error
//       below `gateRatio` × the predict-the-mean-reward baseline's (and after `warmupIterations`).
import EnvKit
import TensorCore

public struct WMPPOConfig: Codable, Equatable, Sendable {
  public var model = WorldModelConfig()
  public var ensemble = 1
  public var valueTargets = true
  public var mveHorizon = 3
  public var mveBeta: Float = 0.5
  public var mveLambda: Float = 0.95
  public var steve = false
  public var rollouts = true
  public var rolloutHorizon = 3
  public var rolloutRatio: Float = 0.25
  public var gate = true
  public var gateRatio: Double = 0.7
  /// Also require the reward head's error below gateRatio × the predict-the-mean-reward baseline.
  public var gateOnReward = false
  public var warmupIterations = 2
  /// How the MVE blend weight is set each iteration:
  ///  `fixed`: β = mveBeta;
  ///  `skill`: β = mveBeta · clamp(skill, 0, 1), where skill = 1 − Σ(G_imag − G_real)² / Σ(G_real − Ḡ_real)² is
  ///  the explained variance of the imagined H-step λ-returns as predictors of the same λ-returns computed on
  ///  the real trajectory (this iteration's rollout, rows with H real steps ahead, same critic): a target no
  ///  better than a constant gets no weight. (Aleatoric noise in G_real makes this conservative.)
  public var betaMode: BetaMode = .skill
  public enum BetaMode: String, Codable, Sendable { case fixed, skill }
  /// Scale the rollout ratio by clamp(skill, 0, 1) (the same skill as `betaMode = .skill`, measured on a random
  /// quarter of the rows when the value targets are off): imagined advantages are built from the same r̂ and V(ŝ).
  public var rolloutSkill = true
  /// Stochastic imagination by residual bootstrap (LearnedImagination): each imagined next observation adds
  /// the model's residual on a random real row of the newest rollout (held-out, prequential residuals).
  public var residualSampling = false
  /// Imagined targets per branch state, averaged (K samples of the policy's actions and, with residual
  /// sampling, of the model's residuals): a Monte-Carlo estimate of the model's E[G^λ | s] instead of one draw.
  public var targetSamples = 1
  public init() {}

  public func validate() throws {
    func bad(_ m: String) -> RLError { RLError.invalidConfig(m) }
    guard ensemble >= 1 else { throw bad("ensemble must be >= 1") }
    guard (1...15).contains(mveHorizon) else { throw bad("mveHorizon must be in 1...15, got \(mveHorizon)") }
    guard (1...5).contains(rolloutHorizon) else { throw bad("rollout_horizon must be in 1...5, got \(rolloutHorizon)") }
    guard rolloutRatio >= 0, rolloutRatio <= 1 else { throw bad("rolloutRatio must be in [0, 1], got \(rolloutRatio)") }
    guard mveBeta >= 0, mveBeta <= 1 else { throw bad("mveBeta must be in [0, 1], got \(mveBeta)") }
    guard !steve || ensemble >= 2 else { throw bad("steve weighting needs ensemble >= 2") }
    guard (1...16).contains(targetSamples) else { throw bad("targetSamples must be in 1...16, got \(targetSamples)") }
    guard model.hidden >= 1, model.seqLen >= 1, model.epochs >= 0, model.bufferRollouts >= 1 else {
      throw bad("world-model sizes must be positive")
    }
  }
}

public final class WMExtension {
  public let config: WMPPOConfig
  public let models: [WorldModel]
  public internal(set) var recent: [RolloutBuffer] = []
  var rng: RNG
  /// Accumulated wall seconds per phase ("train", "targets", "rollouts") — for benchmarks only; never feeds
  /// into results.
  public internal(set) var timings: [String: Double] = [:]
  /// The first (held-out) training pass of the latest iteration, with its per-dimension errors.
  public internal(set) var lastPass: WorldModel.PassResult?
  /// The held-out one-step error of that pass and of the last-observation baseline (NaN before the first).
  public var lastError: Double { lastPass?.modelError ?? .nan }
  public var lastBaseline: Double { lastPass?.baselineError ?? .nan }

  public init(config: WMPPOConfig, obsDim: Int, nvec: [Int], costDim: Int, seed: UInt64) throws {
    try config.validate()
    try config.model.validateEntities(obsDim: obsDim, nvec: nvec)
    self.config = config
    let root = RNG(seed: seed).split("wm")
    models = (0..<config.ensemble).map { k in
      var r = root.split(k)
      return WorldModel(obsDim: obsDim, nvec: nvec, costDim: costDim, config: config.model, rng: &r)
    }
    rng = root.split("imagine")
  }

  func augment<E>(ppo: PPO<E>, buffer: RolloutBuffer, batch: inout TrainBatch, stats: inout TrainStats) throws {
    // Train on the recent window (stacked as one batch, newest last). The first pass scores each window of
    // the new rollout before updating on it (held-out, prequential error); the last pass's hidden states of
    // the new rollout are the branch states for imagination (as Dreamer starts imagination from the states
    // of its training pass).
    recent.append(buffer)
    if recent.count > config.model.bufferRollouts { recent.removeFirst() }
    var tPhase = monotonicSeconds()
    func lap(_ k: String) { let t = monotonicSeconds(); timings[k, default: 0] += t - tPhase; tPhase = t }
    defer { lap(config.rollouts ? "rollouts" : "targets") }
    let stacked = try RolloutBuffer.stacked(recent)
    let newest = (stacked.numEnvs - buffer.numEnvs)..<stacked.numEnvs
    var wl = 0.0, nl = 0.0
    var hs: [[Float]] = []
    var first: WorldModel.PassResult? = nil
    var pools: [[Float]] = []
    for m in models {
      m.setWeights(variance: ppo.obsStats.variance)
      var lastPass: WorldModel.PassResult? = nil
      for _ in 0..<max(1, config.model.epochs) {
        let r = try m.train(on: stacked, track: newest)
        if first == nil { first = r }
        if lastPass == nil { pools.append(config.residualSampling ? r.residuals : []) }
        lastPass = r
        wl += r.loss; nl += 1
      }
      hs.append(lastPass!.hPrev)
    }
    lastPass = first
    stats.wmValidationError = lastError
    stats.wmBaselineError = lastBaseline
    stats.wmRewardError = first!.rewardError
    stats.wmRewardBaseline = first!.rewardBaseline
    stats.wmLoss = wl / nl
    let rewardOK = !config.gateOnReward || first!.rewardError < config.gateRatio * first!.rewardBaseline
    let on = (!config.gate || (lastError < config.gateRatio * lastBaseline && rewardOK))
      && ppo.iteration > config.warmupIterations
    stats.imaginationOn = on ? 1 : 0
    lap("train")
    guard on, config.valueTargets || config.rollouts else { return }
    let policy = ppo.imaginationPolicy()
    let n = buffer.count, d = buffer.obsDim, hd = models[0].stateWidth, m = buffer.maskDim
    func branch(_ rows: [Int], _ k: Int) -> (LearnedImagination.State, [Float]) {
      var h: [Float] = [], o: [Float] = [], mk: [Bool] = []
      for r in rows {
        h += hs[k][(r * hd)..<((r + 1) * hd)]
        o += buffer.rawObs[(r * d)..<((r + 1) * d)]
        if m > 0 { mk += buffer.masks[(r * m)..<((r + 1) * m)] }
      }
      return (LearnedImagination.State(h: h, masks: m > 0 ? mk : nil), o)
    }
    // Imagined H-step λ-returns from real states, compared with the same λ-returns computed on the real
    // trajectory (skill and diagnostics). With a fixed blend weight they are imagined for every row at once;
    // otherwise first on a random quarter of the rows (the probe), and for every row only if the skill gives
    // the blend a positive weight.
    func imagineTargets(_ rows: [Int]) throws -> (target: [Float], rewards: [Float]) {
      var perModel: [ImaginedRollout] = []
      let samples = config.targetSamples, rowsK = Array([[Int]](repeating: rows, count: samples).joined())
      for k in 0..<models.count {
        var (st, o) = branch(rowsK, k)
        if config.residualSampling { st.rng = rng.split("residual").split(ppo.iteration).split(k) }
        var r: RNG? = rng.split("mve").split(ppo.iteration).split(k)
        perModel.append(try imagine(model: LearnedImagination(model: models[k], residuals: pools[k]), state: &st, startObs: o,
                                    batch: rowsK.count, obsDim: d, horizon: config.mveHorizon, policy: policy, rng: &r))
      }
      let all = config.steve ? steveTargets(perModel, gamma: ppo.config.gamma)
        : averageLambdaReturn(perModel, gamma: ppo.config.gamma, lambda: config.mveLambda)
      let target = samples == 1 ? all : (0..<rows.count).map { i in
        (0..<samples).reduce(Float(0)) { $0 + all[$1 * rows.count + i] } / Float(samples)
      }
      return (target, Array(perModel[0].rewards[0..<rows.count]))
    }
    let skillForRollouts = config.rollouts && config.rolloutSkill
    var skill = 1.0
    if config.valueTargets || skillForRollouts {
      let probe = !config.valueTargets || config.betaMode != .fixed
      var pick = rng.split("probe").split(ppo.iteration)
      let rows = probe ? Array(pick.permutation(n).prefix(max(2, n / 4))).sorted() : Array(0..<n)
      var (target, imRewards) = try imagineTargets(rows)
      let allReal = realLambdaReturns(rewards: buffer.rewards, values: buffer.values, terminated: buffer.terminated,
                                      truncated: buffer.truncated, steps: buffer.steps, numEnvs: buffer.numEnvs,
                                      horizon: config.mveHorizon, gamma: ppo.config.gamma, lambda: config.mveLambda)
      let real = rows.map { allReal[$0] }
      let diag = TargetDiagnostics(target: target, gae: rows.map { batch.returns[$0] }, real: real, imagined: target,
                                   realRewards: buffer.rewards, imaginedRewards: imRewards)
      stats.mveGapToGAE = diag.gapToGAE; stats.returnStd = diag.returnStd
      stats.mveBiasToReal = diag.biasToReal; stats.mveRMSToReal = diag.rmsToReal
      stats.realRewardMean = diag.realReward; stats.imaginedRewardMean = diag.imaginedReward
      skill = targetSkill(imagined: target, real: real)
      stats.targetSkill = skill
      stats.criticSkill = targetSkill(imagined: rows.map { buffer.values[$0] }, real: real)
      if config.valueTargets {
        let beta: Float
        switch config.betaMode {
        case .fixed: beta = config.mveBeta
        case .skill: beta = config.mveBeta * Float(min(max(skill, 0), 1))
        }
        stats.mveBetaUsed = Double(beta)
        if beta > 0 {
          if rows.count != n { (target, imRewards) = try imagineTargets(Array(0..<n)) }
          for i in 0..<n { batch.returns[i] = (1 - beta) * batch.returns[i] + beta * target[i] }
        }
      }
    }
    lap("targets")
    if config.rollouts && config.rolloutRatio > 0 {
      let ratio = skillForRollouts ? config.rolloutRatio * Float(min(max(skill, 0), 1)) : config.rolloutRatio
      stats.rolloutRatioUsed = Double(ratio)
      let branches = Int(Float(n) * ratio) / config.rolloutHorizon
      guard branches > 0 else { return }
      var pick = rng.split("branch").split(ppo.iteration)
      let rows = (0..<branches).map { _ in pick.int(below: n) }
      var (st, o) = branch(rows, 0)
      if config.residualSampling { st.rng = rng.split("residual-rollout").split(ppo.iteration) }
      var r: RNG? = rng.split("rollout").split(ppo.iteration)
      let im = try imagine(model: LearnedImagination(model: models[0], residuals: pools[0]), state: &st, startObs: o, batch: branches,
                           obsDim: d, horizon: config.rolloutHorizon, policy: policy, rng: &r)
      let g = try im.gae(gamma: ppo.config.gamma, lambda: ppo.config.gaeLambda)
      var obs = im.obs
      ppo.normalizeRows(&obs)
      batch.obs += obs
      if let mk = im.masks { batch.masks = (batch.masks ?? []) + mk }
      batch.actions += im.actions
      batch.logProbs += im.logProbs
      batch.values += im.values[0..<(im.horizon * branches)]
      batch.advantages += g.advantages
      batch.returns += g.returns
      stats.imaginedSamples = im.horizon * branches
    }
  }

  /// Mean over ensemble members of the λ-return at the branch state.
  func averageLambdaReturn(_ rs: [ImaginedRollout], gamma: Float, lambda: Float) -> [Float] {
    var acc = [Float](repeating: 0, count: rs[0].batch)
    for r in rs {
      let g = r.lambdaReturns(gamma: gamma, lambda: lambda)
      for b in 0..<r.batch { acc[b] += g[b] / Float(rs.count) }
    }
    return acc
  }

  /// STEVE: candidates T_h = Σ_{k<h} γ^k r̂_k + γ^h V(ŝ_h), h = 1…H, one per model; each horizon's mean is
  /// weighted by the inverse of its variance across the ensemble.
  func steveTargets(_ rs: [ImaginedRollout], gamma: Float) -> [Float] {
    let bsz = rs[0].batch, hz = rs[0].horizon
    var out = [Float](repeating: 0, count: bsz)
    for b in 0..<bsz {
      var num: Double = 0, den: Double = 0
      for h in 1...hz {
        var vals: [Double] = []
        for r in rs {
          var s: Double = 0, disc: Double = 1
          for k in 0..<h { s += disc * Double(r.rewards[k * bsz + b]); disc *= Double(gamma) * Double(r.continues[k * bsz + b]) }
          s += disc * Double(r.values[h * bsz + b])
          vals.append(s)
        }
        let mean = vals.reduce(0, +) / Double(vals.count)
        let v = vals.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(vals.count)
        let w = 1 / (v + 1e-6)
        num += w * mean; den += w
      }
      out[b] = Float(num / den)
    }
    return out
  }
}

extension PPO {
  /// PPO with the world-model extension attached (WM-PPO).
  public static func wmppo(config: PPOConfig, wm: WMPPOConfig, seed: UInt64, totalSteps: Int,
                           makeEnv: (Int) throws -> E) throws -> PPO<E> {
    let p = try PPO(config: config, seed: seed, totalSteps: totalSteps, makeEnv: makeEnv)
    p.worldModel = try WMExtension(config: wm, obsDim: p.obsDim, nvec: p.dist.nvec,
                                   costDim: p.vec.envs[0].costKeys.count, seed: seed)
    return p
  }
}
