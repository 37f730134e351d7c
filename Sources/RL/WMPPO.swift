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
//       below `gateRatio` × the predict-the-mean-reward baseline's (and after `warmupIterations`);
//  (iv) optionally the critic also regresses on imagined states ŝ_k (k ≥ 1) towards their imagined
//       TD(λ) targets G^λ_k (as MVE's TD-k and Dreamer train the critic in imagination): `criticImagination`.
// Imagination respects the env: next action masks come from the model's mask head (sampled), termination from
// its continue head (WorldModel.swift). `simulator = true` replaces the learned model by the true environment,
// branched from exact snapshots of the real states with re-seeded exogenous randomness — the perfect-model
// ablation: the most any world model can give this algorithm (WMPPO+Branch.swift).
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
  /// Off by default: imagined rollouts hurt even with a perfect model (docs/decisions/0202) — their H-step
  /// advantages lean on the critic at the horizon, unlike the real rows' long GAE.
  public var rollouts = false
  public var rolloutHorizon = 3
  /// Imagined samples per real sample in the PPO batch (at most 4).
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
  /// How the imagined target enters the critic's target (docs/decisions/0202):
  ///  `blend`: R'_t = (1−β)·R_t + β·Ḡ^imag_t (MVE as first proposed; it replaces part of the long GAE return by
  ///  an H-step target that leans on the critic itself, so even a perfect model biases the critic towards its
  ///  own current values);
  ///  `correction`: R'_t = R_t + β·(Ḡ^imag_t − G^real_t), where G^real_t is the same H-step λ-return computed
  ///  on the real trajectory (rows whose window leaves the rollout keep R_t). Under a perfect model
  ///  E[Ḡ^imag | s_t] = E[G^real | s_t], so the target's expectation is PPO's; the model only removes part of
  ///  the noise of the first H real steps (a control variate). A learned model's bias enters as β·bias.
  public var targetForm: TargetForm = .correction
  public enum TargetForm: String, Codable, Sendable { case blend, correction }
  /// Scale the rollout ratio by clamp(skill, 0, 1) (the same skill as `betaMode = .skill`, measured on a random
  /// quarter of the rows when the value targets are off): imagined advantages are built from the same r̂ and V(ŝ).
  public var rolloutSkill = true
  /// Stochastic imagination by residual bootstrap (LearnedImagination): each imagined next observation adds
  /// the model's residual on a random real row of the newest rollout (held-out, prequential residuals).
  public var residualSampling = false
  /// Next masks in imagination drawn from the mask head's probabilities (false: thresholded at ½).
  public var maskSampling = true
  /// Imagined targets per branch state, averaged (K samples of the policy's actions and, with residual
  /// sampling, of the model's residuals): a Monte-Carlo estimate of the model's E[G^λ | s] instead of one draw.
  public var targetSamples = 1
  /// Train the critic on imagined states too (their TD(λ) targets along the imagined trajectories, weighted
  /// by `criticImaginationWeight` relative to the real rows' value loss).
  public var criticImagination = false
  public var criticImaginationWeight: Float = 1
  /// Perfect-model ablation: imagination runs on exact snapshots of the real envs (needs SnapshotEnvironment);
  /// no model is trained and the model-error gate is open.
  public var simulator = false
  public init() {}

  public func validate() throws {
    func bad(_ m: String) -> RLError { RLError.invalidConfig(m) }
    guard ensemble >= 1 else { throw bad("ensemble must be >= 1") }
    guard (1...15).contains(mveHorizon) else { throw bad("mve_horizon must be in 1...15, got \(mveHorizon)") }
    guard (1...5).contains(rolloutHorizon) else { throw bad("rollout_horizon must be in 1...5, got \(rolloutHorizon)") }
    guard rolloutRatio >= 0, rolloutRatio <= 4 else { throw bad("rollout_ratio must be in [0, 4], got \(rolloutRatio)") }
    guard mveBeta >= 0, mveBeta <= 1 else { throw bad("mve_beta must be in [0, 1], got \(mveBeta)") }
    guard !steve || ensemble >= 2 else { throw bad("steve weighting needs ensemble >= 2") }
    guard (1...16).contains(targetSamples) else { throw bad("target_samples must be in 1...16, got \(targetSamples)") }
    guard criticImaginationWeight >= 0, criticImaginationWeight.isFinite else {
      throw bad("critic_imagination_weight must be >= 0, got \(criticImaginationWeight)")
    }
    guard model.hidden >= 1, model.seqLen >= 1, model.epochs >= 1, model.replayTransitions >= 0, model.batchRollouts >= 1 else {
      throw bad("world-model sizes must be positive (model.hidden, model.seq_len, model.epochs, model.batch_rollouts >= 1, model.replay_transitions >= 0)")
    }
  }
}

public final class WMExtension {
  public let config: WMPPOConfig
  /// The world models (an ensemble of `config.ensemble`). Under overlapped training they are the training
  /// thread's between an iteration's launch and the next join; reading them here first waits for it.
  public var models: [WorldModel] { join(); return members }
  let members: [WorldModel]
  /// The replay: the latest rollouts, newest last (capacity `config.model.replayTransitions`).
  public internal(set) var recent: [RolloutBuffer] = []
  var rng: RNG
  /// Perfect-model ablation: exact copies of each real env before each step of the newest rollout (row t·N+e).
  var snapshots: [AnyEnvironment] = []
  /// Accumulated wall seconds per phase ("train", "targets", "rollouts"; "train_job": overlapped jobs on their own
  /// thread) — for benchmarks only; never feeds into results.
  public internal(set) var timings: [String: Double] = [:]
  /// The first (held-out) training pass of the latest iteration, with its per-dimension errors.
  public internal(set) var lastPass: WorldModel.PassResult?
  /// The held-out one-step error of that pass and of the last-observation baseline (NaN before the first).
  public var lastError: Double { lastPass?.modelError ?? .nan }
  public var lastBaseline: Double { lastPass?.baselineError ?? .nan }
  /// Overlapped training (WMPPO+Overlap.swift): the job in flight, the outcome of the last one joined (its mean
  /// loss), and whether jobs run on the calling thread instead (the same bits; tests and profiles).
  var pending: ModelTrainingJob?
  var finished: Result<Double, Error> = .success(.nan)
  public var trainInline = false

  public init(config: WMPPOConfig, obsDim: Int, nvec: [Int], costDim: Int, maskDim: Int = 0, seed: UInt64) throws {
    try config.validate()
    try config.model.validateEntities(obsDim: obsDim, nvec: nvec)
    self.config = config
    let root = RNG(seed: seed).split("wm")
    members = config.simulator ? [] : (0..<config.ensemble).map { k in
      var r = root.split(k)
      return WorldModel(obsDim: obsDim, nvec: nvec, costDim: costDim, maskDim: maskDim, config: config.model, rng: &r)
    }
    rng = root.split("imagine")
  }

  /// Rollouts the replay keeps: replayTransitions / rollout size, at least 1.
  func replayCapacity(_ rolloutSize: Int) -> Int { max(1, config.model.replayTransitions / max(1, rolloutSize)) }

  /// Trains the models on the replay (synchronous training); returns the hidden states before each step of the
  /// newest rollout per model (branch states) and the residual pools, and fills the model scalars of `stats`.
  func trainModels(ppo iteration: Int, variance: [Double], buffer: RolloutBuffer,
                   stats: inout TrainStats) throws -> (hs: [[Float]], pools: [[Float]]) {
    let r = try WMExtension.trainPasses(models: members, replay: recent, config: config, variance: variance,
                                        pick: rng.split("replay").split(iteration), newestEnvs: buffer.numEnvs)
    lastPass = r.first
    record(r.first, stats: &stats)
    stats.wmLoss = r.meanLoss
    return (r.hidden, r.pools)
  }

  /// The model scalars of `stats` from a held-out pass over the newest rollout.
  func record(_ first: WorldModel.PassResult, stats: inout TrainStats) {
    stats.wmValidationError = first.modelError
    stats.wmBaselineError = first.baselineError
    stats.wmRewardError = first.rewardError
    stats.wmRewardBaseline = first.rewardBaseline
  }

  /// `config.model.epochs` training passes of every model over `replay` (newest last). Pass 0: the newest
  /// rollout after the batchRollouts − 1 before it (scored before learning: the held-out error). Later passes:
  /// batchRollouts rollouts drawn uniformly from the replay by `pick`, the newest placed last when drawn (its
  /// hidden states are then the fresher branch states). Reads nothing but its arguments, so it may run on
  /// another thread while the models are not used elsewhere (WMPPO+Overlap.swift).
  static func trainPasses(models: [WorldModel], replay: [RolloutBuffer], config: WMPPOConfig, variance: [Double],
                          pick: RNG, newestEnvs: Int) throws -> PassesOutcome {
    var pick = pick, wl = 0.0, nl = 0.0
    var hs: [[Float]] = [], pools: [[Float]] = []
    var first: WorldModel.PassResult? = nil
    let older = replay.count - 1
    for m in models {
      m.setWeights(variance: variance)
      var lastPass: WorldModel.PassResult? = nil
      for epoch in 0..<config.model.epochs {
        let idx: [Int]
        if epoch == 0 {
          idx = Array(max(0, older - (config.model.batchRollouts - 1))...older)
        } else {
          idx = Array(pick.permutation(older + 1).prefix(config.model.batchRollouts)).sorted()
        }
        let stacked = try RolloutBuffer.stacked(idx.map { replay[$0] })
        let hasNewest = idx.last == older
        let newest = (stacked.numEnvs - newestEnvs)..<stacked.numEnvs
        let r = try m.train(on: stacked, track: hasNewest ? newest : 0..<0)
        if first == nil { first = r }
        if lastPass == nil { pools.append(config.residualSampling ? r.residuals : []) }
        if hasNewest { lastPass = r }
        wl += r.loss; nl += 1
      }
      hs.append(lastPass!.hPrev)
    }
    return PassesOutcome(first: first!, hidden: hs, pools: pools, meanLoss: wl / nl)
  }

  struct PassesOutcome {
    var first: WorldModel.PassResult
    var hidden: [[Float]], pools: [[Float]]
    var meanLoss: Double
  }

  /// The world model's part of an iteration: the newest rollout joins the replay, the models train on it (or,
  /// overlapped, the finished job is joined and the models filter it, and after imagination the next job starts).
  func augment<E>(ppo: PPO<E>, buffer: RolloutBuffer, batch: inout TrainBatch, stats: inout TrainStats) throws {
    recent.append(buffer)
    if recent.count > replayCapacity(buffer.count) { recent.removeFirst(recent.count - replayCapacity(buffer.count)) }
    try imagine(ppo: ppo, buffer: buffer, batch: &batch, stats: &stats)
    if overlapped { launchTraining(iteration: ppo.iteration, variance: ppo.obsStats.variance, newestEnvs: buffer.numEnvs) }
  }

  /// Imagination from the newest rollout's states: value targets, critic rows and imagined rollouts.
  func imagine<E>(ppo: PPO<E>, buffer: RolloutBuffer, batch: inout TrainBatch, stats: inout TrainStats) throws {
    var tPhase = monotonicSeconds()
    func lap(_ k: String) { let t = monotonicSeconds(); timings[k, default: 0] += t - tPhase; tPhase = t }
    defer { lap(config.rollouts ? "rollouts" : "targets") }
    var source: BranchSource
    let on: Bool
    if config.simulator {
      source = BranchSource(buffer: buffer, snapshots: snapshots)
      on = ppo.iteration > config.warmupIterations
    } else {
      let (hs, pools) = overlapped ? try filterNewest(buffer, stats: &stats)
        : try trainModels(ppo: ppo.iteration, variance: ppo.obsStats.variance, buffer: buffer, stats: &stats)
      source = BranchSource(buffer: buffer, models: members, hidden: hs, pools: pools)
      let rewardOK = !config.gateOnReward || stats.wmRewardError < config.gateRatio * stats.wmRewardBaseline
      on = (!config.gate || (lastError < config.gateRatio * lastBaseline && rewardOK))
        && ppo.iteration > config.warmupIterations
    }
    source.residualSampling = config.residualSampling
    source.maskSampling = config.maskSampling
    stats.imaginationOn = on ? 1 : 0
    lap("train")
    guard on, config.valueTargets || config.rollouts || config.criticImagination else { return }
    let policy = ppo.imaginationPolicy()
    let n = buffer.count, gamma = ppo.config.gamma
    var criticRollout: ImaginedRollout? = nil
    // Imagined H-step λ-returns from real states, compared with the same λ-returns computed on the real
    // trajectory (skill and diagnostics). With a fixed blend weight they are imagined for every row at once;
    // otherwise first on a random quarter of the rows (the probe), and for every row only if the skill gives
    // the blend a positive weight.
    func imagineTargets(_ rows: [Int]) throws -> (target: [Float], rewards: [Float]) {
      var perModel: [ImaginedRollout] = []
      let samples = config.targetSamples, rowsK = Array([[Int]](repeating: rows, count: samples).joined())
      for k in 0..<max(1, members.count) {
        perModel.append(try source.imagine(rows: rowsK, member: k, horizon: config.mveHorizon, policy: policy,
                                           rng: rng.split("mve").split(ppo.iteration).split(k)))
      }
      criticRollout = perModel[0]
      let all = config.steve ? steveTargets(perModel, gamma: gamma)
        : averageLambdaReturn(perModel, gamma: gamma, lambda: config.mveLambda)
      let target = samples == 1 ? all : (0..<rows.count).map { i in
        (0..<samples).reduce(Float(0)) { $0 + all[$1 * rows.count + i] } / Float(samples)
      }
      return (target, Array(perModel[0].rewards[0..<rows.count]))
    }
    let skillForRollouts = config.rollouts && config.rolloutSkill
    var skill = 1.0
    if config.valueTargets || skillForRollouts || config.criticImagination {
      let probe = !config.valueTargets || config.betaMode != .fixed
      var pick = rng.split("probe").split(ppo.iteration)
      let rows = probe ? Array(pick.permutation(n).prefix(max(2, n / 4))).sorted() : Array(0..<n)
      var (target, imRewards) = try imagineTargets(rows)
      let allReal = realLambdaReturns(rewards: buffer.rewards, values: buffer.values, terminated: buffer.terminated,
                                      truncated: buffer.truncated, finalValues: buffer.finalValues,
                                      steps: buffer.steps, numEnvs: buffer.numEnvs,
                                      horizon: config.mveHorizon, gamma: gamma, lambda: config.mveLambda)
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
          switch config.targetForm {
          case .blend:
            for i in 0..<n { batch.returns[i] = (1 - beta) * batch.returns[i] + beta * target[i] }
          case .correction:
            for i in 0..<n { if let g = allReal[i] { batch.returns[i] += beta * (target[i] - g) } }
          }
        }
      }
    }
    if config.criticImagination, let im = criticRollout {
      let t = im.criticTargets(gamma: gamma, lambda: config.mveLambda)
      var obs = t.obs
      ppo.normalizeRows(&obs)
      batch.criticObs += obs
      batch.criticReturns += t.returns
      batch.criticWeight = config.criticImaginationWeight
      stats.criticImaginedSamples = t.returns.count
    }
    lap("targets")
    if config.rollouts && config.rolloutRatio > 0 {
      let ratio = skillForRollouts ? config.rolloutRatio * Float(min(max(skill, 0), 1)) : config.rolloutRatio
      stats.rolloutRatioUsed = Double(ratio)
      let branches = Int(Float(n) * ratio) / config.rolloutHorizon
      guard branches > 0 else { return }
      var pick = rng.split("branch").split(ppo.iteration)
      let rows = (0..<branches).map { _ in pick.int(below: n) }
      let im = try source.imagine(rows: rows, member: 0, horizon: config.rolloutHorizon, policy: policy,
                                  rng: rng.split("rollout").split(ppo.iteration))
      let g = try im.gae(gamma: gamma, lambda: ppo.config.gaeLambda)
      // Only decisions of live branches: rows after an imagined termination or truncation are not states of
      // the episode (their advantage 0 would still move the policy after minibatch normalisation, and their
      // return 0 would pull the critic towards 0 on whatever the model or a reset copy produced there).
      let live = (0..<(im.horizon * branches)).filter { im.isLive($0) }
      let d = buffer.obsDim, heads = buffer.actionDim, m = buffer.maskDim
      var obs = RolloutBuffer.gather(im.obs, live[...], width: d)
      ppo.normalizeRows(&obs)
      batch.obs += obs
      if batch.masks != nil {
        // An env whose masks are all true may give none in imagination (the simulator asks the env).
        batch.masks! += im.masks.map { RolloutBuffer.gather($0, live[...], width: m) }
          ?? [Bool](repeating: true, count: live.count * m)
      }
      batch.actions += RolloutBuffer.gather(im.actions, live[...], width: heads)
      batch.logProbs += live.map { im.logProbs[$0] }
      batch.values += live.map { im.values[$0] }
      batch.advantages += live.map { g.advantages[$0] }
      batch.returns += live.map { g.returns[$0] }
      stats.imaginedSamples = live.count
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
          var last = h
          for k in 0..<h {
            s += disc * Double(r.rewards[k * bsz + b]); disc *= Double(gamma) * Double(r.continues[k * bsz + b])
            if r.ended(k * bsz + b) { last = k + 1; break }  // truncated: bootstrap with V(ŝ_{k+1}) and stop
          }
          s += disc * Double(r.values[last * bsz + b])
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
  /// Attaches the world-model extension (the mask head is on when the env has action masks).
  func attach(_ wm: WMPPOConfig) throws {
    let env = vec.envs[0]
    if wm.simulator {
      guard EnvKit.snapshot(of: env) != nil else {
        throw RLError.invalidConfig("the perfect-model ablation (simulator) needs an environment that can snapshot its state")
      }
    }
    worldModel = try WMExtension(config: wm, obsDim: obsDim, nvec: dist.nvec, costDim: env.costKeys.count,
                                 maskDim: env.actionMask() != nil ? vec.maskDim : 0, seed: seed)
  }

  /// PPO with the world-model extension attached (WM-PPO).
  public static func wmppo(config: PPOConfig, wm: WMPPOConfig, seed: UInt64, totalSteps: Int,
                           makeEnv: (Int) throws -> E) throws -> PPO<E> {
    let p = try PPO(config: config, seed: seed, totalSteps: totalSteps, makeEnv: makeEnv)
    try p.attach(wm)
    return p
  }
}
