import CLua
import EnvKit
import Foundation
import Lab
import LuaBridge
import MEC
import RL

/// What the agent's environments are, kept in checkpoints (as JSON) so `rl.load` can rebuild them.
enum RLEnvSpec: Codable, Equatable {
  case mec(MECScenario)
  case cartpole(maxSteps: Int)

  func make() throws -> AnyEnvironment {
    switch self {
    case .mec(let s): return AnyEnvironment(try MECEnv(scenario: s))
    case .cartpole(let m): return AnyEnvironment(CartPole(seed: 0, maxSteps: m))
    }
  }
  var json: String { String(decoding: (try? JSONEncoder().encode(self)) ?? Data(), as: UTF8.self) }
}

/// A PPO / WM-PPO agent held by Lua, with the spec of its environments and a private evaluation env.
public final class RLAgentBox {
  let ppo: PPO<AnyEnvironment>
  let spec: RLEnvSpec
  init(_ ppo: PPO<AnyEnvironment>, spec: RLEnvSpec) { self.ppo = ppo; self.spec = spec; ppo.envSpec = spec.json }
}

/// An environment built by `rl.env(name, opts)` (CartPole), steppable from Lua and usable as `env = …`.
public final class RLEnvBox {
  let spec: RLEnvSpec
  var env: AnyEnvironment
  var pendingSeed: UInt64?
  var needsReset = true
  init(_ spec: RLEnvSpec, seed: UInt64) throws {
    self.spec = spec
    env = try spec.make()
    pendingSeed = seed
  }
}

/// Lua options of `rl.ppo{}` / `rl.wmppo{}` (snake_case). Every default is read from `PPOConfig()` — the one
/// place the RL defaults live — so this type only renames; `seed`, `total_steps` and `checkpoint_path` are
/// run options, not PPO hyperparameters.
struct RLOptions: Codable {
  static let base = PPOConfig()
  var seed = 1
  var total_steps = 100_000
  var num_envs = base.numEnvs
  var num_steps = base.numSteps
  var lr = Double(base.learningRate)
  var anneal_lr = base.annealLR
  var gamma = Double(base.gamma)
  var gae_lambda = Double(base.gaeLambda)
  var minibatches = base.numMinibatches
  var epochs = base.updateEpochs
  var clip = Double(base.loss.clip)
  var clip_value = base.loss.clipValue
  var ent_coef = Double(base.loss.entropyCoef)
  var vf_coef = Double(base.loss.valueCoef)
  var max_grad_norm = Double(base.maxGradNorm)
  var target_kl: Double? = base.targetKL.map(Double.init)
  var hidden = base.hidden
  var norm_obs = base.normalizeObservations
  var norm_reward = base.normalizeRewards
  var reward_norm = base.rewardNormalization.rawValue
  var reward_window = base.rewardWindow
  var checkpoint_every = base.checkpointEvery
  var checkpoint_path: String? = nil

  func config() throws -> PPOConfig {
    var c = PPOConfig()
    c.numEnvs = num_envs; c.numSteps = num_steps; c.learningRate = Float(lr); c.annealLR = anneal_lr
    c.gamma = Float(gamma); c.gaeLambda = Float(gae_lambda); c.numMinibatches = minibatches; c.updateEpochs = epochs
    c.loss.clip = Float(clip); c.loss.valueClip = Float(clip); c.loss.clipValue = clip_value
    c.loss.entropyCoef = Float(ent_coef); c.loss.valueCoef = Float(vf_coef); c.maxGradNorm = Float(max_grad_norm)
    c.targetKL = target_kl.map(Float.init); c.hidden = hidden; c.normalizeObservations = norm_obs
    c.normalizeRewards = norm_reward; c.checkpointEvery = checkpoint_every
    guard let rn = RewardNormalization(rawValue: reward_norm) else {
      throw RLError.invalidConfig("option 'reward_norm' must be \"ema\" or \"running\", got \"\(reward_norm)\"")
    }
    c.rewardNormalization = rn; c.rewardWindow = reward_window
    return c
  }
}

/// `wm = { ... }` of `rl.wmppo{}`: every default is read from `WMPPOConfig()` / `WorldModelConfig()`.
struct WMOptions: Codable {
  static let base = WMPPOConfig()
  var value_targets = base.valueTargets
  var horizon = base.mveHorizon
  var beta = Double(base.mveBeta)
  var lambda = Double(base.mveLambda)
  var steve = base.steve
  var ensemble = base.ensemble
  var rollouts = base.rollouts
  var rollout_horizon = base.rolloutHorizon
  var rollout_ratio = Double(base.rolloutRatio)
  var gate = base.gate
  var gate_ratio = base.gateRatio
  var gate_reward = base.gateOnReward
  var warmup = base.warmupIterations
  var hidden = base.model.hidden
  var epochs = base.model.epochs
  var lr = Double(base.model.learningRate)
  var seq_len = base.model.seqLen
  var replay_transitions = base.model.replayTransitions
  var batch_rollouts = base.model.batchRollouts
  var beta_mode = base.betaMode.rawValue
  var target_form = base.targetForm.rawValue
  var rollout_skill = base.rolloutSkill
  var weighting = base.model.weighting.rawValue
  var residual_sampling = base.residualSampling
  var mask_sampling = base.maskSampling
  var target_samples = base.targetSamples
  var critic_imagination = base.criticImagination
  var critic_weight = Double(base.criticImaginationWeight)
  var simulator = base.simulator
  var skip = base.model.skip
  /// 0 = off (default); -1 = automatic: one entity per MEC user (MECEnv.featuresPerUser features each), off
  /// for other envs.
  var entities = base.model.entities
  var entity_features = base.model.entityFeatures
  var entity_hidden = base.model.entityHidden

  /// The entity layout for `spec` (explicit values win over the automatic MEC layout).
  func entityLayout(_ spec: RLEnvSpec) -> (entities: Int, features: Int) {
    if entities >= 0 { return (entities, entity_features) }
    if case .mec(let sc) = spec { return (sc.users, MECEnv.featuresPerUser) }
    return (0, 0)
  }

  func config() throws -> WMPPOConfig {
    var w = WMPPOConfig()
    w.valueTargets = value_targets; w.mveHorizon = horizon; w.mveBeta = Float(beta); w.mveLambda = Float(lambda)
    w.steve = steve; w.ensemble = ensemble; w.rollouts = rollouts; w.rolloutHorizon = rollout_horizon
    w.rolloutRatio = Float(rollout_ratio); w.gate = gate; w.gateRatio = gate_ratio; w.gateOnReward = gate_reward; w.warmupIterations = warmup
    w.model.hidden = hidden; w.model.epochs = epochs; w.model.learningRate = Float(lr); w.model.seqLen = seq_len
    w.model.replayTransitions = replay_transitions; w.model.batchRollouts = batch_rollouts
    guard let bm = WMPPOConfig.BetaMode(rawValue: beta_mode) else {
      throw RLError.invalidConfig("option 'wm.beta_mode' must be \"fixed\" or \"skill\", got \"\(beta_mode)\"")
    }
    guard let wt = WorldModelConfig.Weighting(rawValue: weighting) else {
      throw RLError.invalidConfig("option 'wm.weighting' must be \"normalized\" or \"uniform\", got \"\(weighting)\"")
    }
    guard let tf = WMPPOConfig.TargetForm(rawValue: target_form) else {
      throw RLError.invalidConfig("option 'wm.target_form' must be \"correction\" or \"blend\", got \"\(target_form)\"")
    }
    w.betaMode = bm; w.model.weighting = wt; w.targetForm = tf
    w.rolloutSkill = rollout_skill
    w.residualSampling = residual_sampling; w.maskSampling = mask_sampling
    w.targetSamples = target_samples
    w.criticImagination = critic_imagination; w.criticImaginationWeight = Float(critic_weight)
    w.simulator = simulator
    w.model.skip = skip
    w.model.entityHidden = entity_hidden
    return w
  }
}

extension EdgeLabBinding {
  /// `edgelab.rl`: PPO and WM-PPO agents (see lua/meta/rl.lua for the full reference).
  ///   rl.ppo{ env = mec_env | "cartpole", seed = 1, total_steps = 100000, <PPO options> } → agent
  ///   rl.wmppo{ ..., wm = { horizon = 3, beta = 0.5, rollouts = true, gate = true, ... } } → agent
  ///   agent:train(steps, { every = 4096, on_eval = function(step, stats) end, eval_episodes = 1,
  ///                        eval_seeds = {10001}, progress = true }) → last iteration's stats
  ///   agent:act(obs [, mask]) → actions;  agent:evaluate(env, { episodes = 1, seeds = {1} }) → metrics
  ///   agent:save(path);  rl.load(path) → agent;  agent:history() → per-iteration stats
  ///   agent:write_csv(path [, { deterministic = false }])
  public static let rl = EdgeLabBinding("rl") { m, _ in
    m.function("ppo") { call in try RLBinding.make(call, wm: false) }
    m.function("wmppo") { call in try RLBinding.make(call, wm: true) }
    m.function("env") { call in
      struct Opts: Codable { var max_steps = CartPole().maxSteps; var seed = 0 }
      let name = try call.string(1)
      guard name == "cartpole" else { throw call.argumentError(1, "unknown env '\(name)' (rl.env knows: cartpole; MEC envs come from mec.env)") }
      let o = try call.decode(2, defaults: Opts())
      guard o.max_steps >= 1 else { throw call.argumentError(2, "max_steps must be >= 1, got \(o.max_steps)") }
      guard o.seed >= 0 else { throw call.argumentError(2, "seed must be >= 0, got \(o.seed)") }
      call.push(try RLEnvBox(.cartpole(maxSteps: o.max_steps), seed: UInt64(o.seed)), as: RLBinding.envClass)
      return 1
    }
    m.function("load") { call in
      let path = try call.string(1)
      do {
        let c = try PPOCheckpoint.read(path: path)
        guard let js = c.envSpec, let spec = try? JSONDecoder().decode(RLEnvSpec.self, from: Data(js.utf8)) else {
          throw RLError.checkpoint("\(path) does not describe its environment (was it saved from Lua?)")
        }
        let p = try PPO<AnyEnvironment>.load(checkpoint: c) { _ in try spec.make() }
        call.push(RLAgentBox(p, spec: spec), as: RLBinding.agentClass)
      } catch let e as LuaBridgeError { throw e } catch { throw call.argumentError(1, "\(error)") }
      return 1
    }
  }
}

enum RLBinding {
  /// The MEC env box behind a Lua value (userdata of class edgelab.mec.Env), if it is one.
  static func mecEnv(_ v: LuaValue, _ L: OpaquePointer) -> MECEnvBox? {
    guard case .ref(let r) = v else { return nil }
    r.push(L)
    defer { lua_settop(L, -2) }
    return MECBinding.envClass.object(L, at: -1)
  }

  /// The env spec behind a Lua value: an edgelab.mec env, an rl.env, or "cartpole" (CartPole-v1, 500 steps).
  static func envSpec(_ v: LuaValue, _ L: OpaquePointer) -> RLEnvSpec? {
    if v.stringValue == "cartpole" { return .cartpole(maxSteps: CartPole().maxSteps) }
    if let box = mecEnv(v, L) { return .mec(box.env.scenario) }
    guard case .ref(let r) = v else { return nil }
    r.push(L)
    defer { lua_settop(L, -2) }
    return envClass.object(L, at: -1)?.spec
  }

  static func make(_ call: LuaCall, wm: Bool) throws -> Int32 {
    guard case .table(var t) = try call.table(1) else { throw call.argumentError(1, "options must be a table") }
    guard let envV = t.removeValue(forKey: "env") else { throw call.argumentError(1, "option 'env' is required (an edgelab.mec env or \"cartpole\")") }
    let wmV = t.removeValue(forKey: "wm")
    if !wm, wmV != nil { throw call.argumentError(1, "unknown option 'wm' (world-model options belong to rl.wmppo)") }
    guard let spec = envSpec(envV, call.L) else {
      throw call.argumentError(1, "option 'env' must be an edgelab.mec env, an rl.env or \"cartpole\", got \(envV.kindName)")
    }
    let o: RLOptions, w: WMOptions
    let pc: PPOConfig
    var wc: WMPPOConfig
    do {
      o = try LuaDecoder().decode(from: .table(t), defaults: RLOptions())
      w = try LuaDecoder().decode(from: wmV ?? .table([:]), defaults: WMOptions())
      pc = try o.config()
      wc = try w.config()
    } catch { throw call.argumentError(1, "\(error)") }
    guard o.seed >= 0 else { throw call.argumentError(1, "option 'seed' must be >= 0") }
    do {
      let make: (Int) throws -> AnyEnvironment = { _ in try spec.make() }
      (wc.model.entities, wc.model.entityFeatures) = w.entityLayout(spec)
      let p = wm ? try PPO.wmppo(config: pc, wm: wc, seed: UInt64(o.seed), totalSteps: o.total_steps, makeEnv: make)
        : try PPO(config: pc, seed: UInt64(o.seed), totalSteps: o.total_steps, makeEnv: make)
      p.checkpointPath = o.checkpoint_path
      call.push(RLAgentBox(p, spec: spec), as: agentClass)
    } catch { throw call.argumentError(1, "\(error)") }
    return 1
  }

  static func statsValue(_ s: TrainStats) -> [String: LuaValue] {
    var t: [String: LuaValue] = [:]
    for (k, v) in zip(TrainStats.csvHeader, s.values) where !v.isNaN { t[k] = .number(v) }
    return t
  }

  /// Deterministic evaluation: MEC envs get the full MEC metrics (latency, energy, violations …).
  static func evaluate(_ b: RLAgentBox, env: AnyEnvironment, episodes: Int, seeds: [UInt64]) throws -> [String: LuaValue] {
    var pol = b.ppo.policy()
    if let mecEnv = env.base as? MECEnv {
      let r = try MECEvaluator.evaluate(&pol, env: mecEnv, episodes: episodes, seeds: seeds)
      var t = r.dictionary.mapValues { LuaValue.number($0) }
      t["mean_return"] = .number(r.meanReturn)
      t["policy"] = .string(r.policy); t["episodes"] = .integer(r.episodes); t["queries"] = .integer(r.queries)
      return t
    }
    var e = env
    var returns: [Double] = []
    for s in seeds { returns += try evaluatePolicy(&pol, env: &e, episodes: episodes, seed: s).returns }
    return ["mean_return": .number(returns.reduce(0, +) / Double(returns.count)), "episodes": .integer(returns.count),
            "policy": .string(pol.name)]
  }

  struct TrainOpts: Codable {
    var every: Int? = nil
    var eval_episodes = 1
    var eval_seeds = [10001]
    var progress = true
  }

  static func train(_ call: LuaCall, _ b: RLAgentBox) throws -> Int32 {
    let steps = try call.integer(2)
    guard steps >= 1 else { throw call.argumentError(2, "steps must be >= 1, got \(steps)") }
    var onEval: LuaFunction? = nil
    var optsV: LuaValue = .table([:])
    if !call.isNoneOrNil(3) {
      guard case .table(var t) = try call.table(3) else { throw call.argumentError(3, "options must be a table") }
      if let f = t.removeValue(forKey: "on_eval") {
        guard case .ref(let r) = f, r.typeName == "function" else {
          throw call.argumentError(3, "option 'on_eval' must be a function, got \(f.kindName)")
        }
        onEval = LuaFunction(ref: r)
      }
      optsV = .table(t)
    }
    let o: TrainOpts
    do { o = try LuaDecoder().decode(from: optsV, defaults: TrainOpts()) } catch { throw call.argumentError(3, "\(error)") }
    if let e = o.every, e < 1 { throw call.argumentError(3, "every must be >= 1, got \(e)") }
    guard o.eval_episodes >= 1, !o.eval_seeds.isEmpty, o.eval_seeds.allSatisfy({ $0 >= 0 }) else {
      throw call.argumentError(3, "eval_episodes must be >= 1 and eval_seeds a non-empty array of integers >= 0")
    }
    let evalEnv = try b.spec.make()
    let progress = ProgressLine(b.ppo.worldModel == nil ? "ppo" : "wmppo", total: steps, enabled: o.progress ? nil : false)
    let start = b.ppo.globalStep
    var next = o.every.map { start + $0 }
    var last = TrainStats()
    do {
      try b.ppo.train(steps: steps) { s in
        last = s
        progress.update(s.globalStep - start, metric: s.episodicReturn.isNaN ? nil : ("return", s.episodicReturn))
        if let every = o.every, let fn = onEval, let n = next, s.globalStep >= n {
          while next! <= s.globalStep { next! += every }
          var t = statsValue(s)
          for (k, v) in try evaluate(b, env: evalEnv, episodes: o.eval_episodes, seeds: o.eval_seeds.map { UInt64($0) }) {
            t[k] = v
          }
          _ = try fn.call([.integer(s.globalStep), .table(t)])
        }
      }
    } catch let e as LuaBridgeError { progress.finish(); throw e } catch { progress.finish(); throw call.argumentError(2, "\(error)") }
    progress.finish()
    call.push(.table(statsValue(last)))
    return 1
  }

  static let envClass: LuaClass<RLEnvBox> = LuaClass<RLEnvBox>("edgelab.rl.Env")
    .method("reset") { call, b in
      var seed: UInt64? = b.pendingSeed
      if !call.isNoneOrNil(2) {
        let s = try call.integer(2)
        guard s >= 0 else { throw call.argumentError(2, "seed must be >= 0, got \(s)") }
        seed = UInt64(s)
      }
      b.pendingSeed = nil
      let (o, _) = b.env.reset(seed: seed)
      b.needsReset = false
      call.push(.array(o.map { .number(Double($0)) }))
      return 1
    }
    .method("step") { call, b in
      guard !b.needsReset else { throw call.argumentError(1, "call env:reset() before env:step() (the episode has ended or not started)") }
      let a = try call.value(2)
      let act: [Int]
      switch a {
      case .integer(let i): act = [i]
      case .number(let x) where x == x.rounded(): act = [Int(x)]
      case .array(let xs): act = try xs.map { v in
          guard let i = v.intValue else { throw call.argumentError(2, "actions must be integers") }
          return i
        }
      default: throw call.argumentError(2, "action must be an integer or an array of integers, got \(a.kindName)")
      }
      let st: Step
      do { st = try b.env.step(act) } catch { throw call.argumentError(2, "\(error)") }
      if st.done { b.needsReset = true }
      call.push(.array(st.obs.map { .number(Double($0)) }))
      call.push(Double(st.reward))
      call.push(st.terminated)
      call.push(st.truncated)
      return 4
    }
    .property("obs_dim") { b in .integer(b.env.observationSpace.count) }
    .property("actions") { b in .array(b.env.actionSpace.nvec.map { .integer($0) }) }
    .property("max_steps") { b in b.env.maxEpisodeSteps.map { .integer($0) } ?? .nil }
    .property("name") { b in .string("cartpole") }
    .tostring { b in "edgelab.rl.Env(cartpole, max_steps=\(b.env.maxEpisodeSteps ?? 0))" }

  static let agentClass: LuaClass<RLAgentBox> = LuaClass<RLAgentBox>("edgelab.rl.Agent")
    .method("train") { call, b in try train(call, b) }
    .method("act") { call, b in
      let obs = try call.numbers(2).map { Float($0) }
      let mask = try call.optBooleans(3)
      var p = b.ppo.policy()
      let a: [Int]
      do { a = try p.act(obs: obs, mask: mask, env: nil) } catch { throw call.argumentError(2, "\(error)") }
      call.push(.array(a.map { .integer($0) }))
      return 1
    }
    .method("evaluate") { call, b in
      struct Opts: Codable { var episodes = 1; var seeds: [Int] = [1] }
      let env: AnyEnvironment
      if let box = MECBinding.envClass.object(call.L, at: 2) {
        guard case .mec = b.spec, box.env.observationSpace == b.ppo.vec.observationSpace,
              box.env.actionSpace == b.ppo.vec.actionSpace else {
          throw call.argumentError(2, "env does not match the agent's observation/action spaces")
        }
        env = AnyEnvironment(box.env)
      } else if let spec = envSpec(try call.value(2), call.L), case .cartpole = spec {
        env = try spec.make()
      } else { throw call.typeError(2, expected: "edgelab.mec.Env, an rl.env(\"cartpole\") or \"cartpole\"") }
      let o = try call.decode(3, defaults: Opts())
      guard o.episodes >= 1, !o.seeds.isEmpty, o.seeds.allSatisfy({ $0 >= 0 }) else {
        throw call.argumentError(3, "episodes must be >= 1 and seeds a non-empty array of integers >= 0")
      }
      do { call.push(.table(try evaluate(b, env: env, episodes: o.episodes, seeds: o.seeds.map { UInt64($0) }))) }
      catch { throw call.argumentError(2, "\(error)") }
      return 1
    }
    .method("save") { call, b in
      let path = try call.string(2)
      do { try b.ppo.save(path: path) } catch { throw call.argumentError(2, "\(error)") }
      return 0
    }
    .method("history") { call, b in
      call.push(.array(b.ppo.history.map { .table(statsValue($0)) }))
      return 1
    }
    .method("episodes") { call, b in
      call.push(.array(b.ppo.episodeLog.map {
        .table(["step": .integer($0.step), "return": .number($0.episodeReturn), "length": .integer($0.length)])
      }))
      return 1
    }
    .method("write_csv") { call, b in
      struct Opts: Codable { var deterministic = false }
      let path = try call.string(2)
      let o = try call.decode(3, defaults: Opts())
      do {
        try ScalarCSV.write(b.ppo.history, to: path, deterministicOnly: o.deterministic)
      } catch { throw call.argumentError(2, "\(error)") }
      return 0
    }
    .property("step") { b in .integer(b.ppo.globalStep) }
    .property("iteration") { b in .integer(b.ppo.iteration) }
    .property("kind") { b in .string(b.ppo.worldModel == nil ? "ppo" : "wmppo") }
    .property("seed") { b in .integer(Int(b.ppo.seed)) }
    .tostring { b in "edgelab.rl.Agent(\(b.ppo.worldModel == nil ? "ppo" : "wmppo"), step=\(b.ppo.globalStep))" }
}
