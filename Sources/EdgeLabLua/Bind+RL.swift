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

/// How `rl.ppo{}` / `rl.wmppo{}` read their options: the table decodes straight into `PPOConfig`, and its
/// `wm` table into `WMPPOConfig` (with the world model's own options under `wm.model`), so every default lives
/// in the Swift config alone (lua/meta/rl.lua states them; StubConsistencyTests keeps the two together).
/// `env`, `wm`, `seed`, `total_steps` and `checkpoint_path` are taken out first: they describe the run, not PPO.
enum RLOptions {
  /// The run options, not PPO hyperparameters.
  struct Run: Codable {
    var seed = 1
    var total_steps = 100_000
    var checkpoint_path: String? = nil
  }
  static let runKeys = ["seed", "total_steps", "checkpoint_path"]

  /// Earlier spellings of the PPO options (CleanRL's short names), accepted for one release with a deprecation.
  static let ppoRenames = LuaRenamedKeys([
    "lr": ["learning_rate"], "minibatches": ["num_minibatches"], "epochs": ["update_epochs"],
    "clip": ["loss.clip", "loss.value_clip"], "clip_value": ["loss.clip_value"], "ent_coef": ["loss.entropy_coef"],
    "vf_coef": ["loss.value_coef"], "norm_obs": ["normalize_observations"], "norm_reward": ["normalize_rewards"],
    "reward_norm": ["reward_normalization"],
  ])
  /// Earlier spellings of the `wm` options (the world model's were flat in `wm`), the same way.
  static let worldModelRenames = LuaRenamedKeys([
    "horizon": ["mve_horizon"], "beta": ["mve_beta"], "lambda": ["mve_lambda"], "gate_reward": ["gate_on_reward"],
    "warmup": ["warmup_iterations"], "critic_weight": ["critic_imagination_weight"],
    "hidden": ["model.hidden"], "epochs": ["model.epochs"], "lr": ["model.learning_rate"], "seq_len": ["model.seq_len"],
    "replay_transitions": ["model.replay_transitions"], "batch_rollouts": ["model.batch_rollouts"],
    "weighting": ["model.weighting"], "skip": ["model.skip"], "entities": ["model.entities"],
    "entity_features": ["model.entity_features"], "entity_hidden": ["model.entity_hidden"],
  ])

  /// `wm` decoded inside a table of its own, so messages name `wm.…`.
  struct WorldModelTable: Codable { var wm = WMPPOConfig() }

  /// The run options and the PPO config of an options table (without `env` and `wm`).
  static func decode(_ t: [String: LuaValue]) throws -> (run: Run, ppo: PPOConfig) {
    var config = t, run: [String: LuaValue] = [:]
    for k in runKeys { if let v = config.removeValue(forKey: k) { run[k] = v } }
    let r = try LuaDecoder().decode(from: .table(run), defaults: Run())
    let c = try LuaDecoder().decode(from: try ppoRenames.apply(to: .table(config)), defaults: PPOConfig())
    return (r, c)
  }

  /// The world-model extension's config from a `wm` table (nil = every default). `model.entities = -1` is left
  /// for `entityLayout` (one entity per MEC user).
  static func decodeWorldModel(_ v: LuaValue?) throws -> WMPPOConfig {
    let wm = try worldModelRenames.apply(to: v ?? .table([:]), prefix: "wm.")
    return try LuaDecoder().decode(from: .table(["wm": wm]), defaults: WorldModelTable()).wm
  }

  /// The entity layout of `config` for `spec`: `entities = -1` is automatic (one entity per MEC user,
  /// MECEnv.featuresPerUser features each; off for other envs); explicit values are kept.
  static func entityLayout(_ config: WorldModelConfig, _ spec: RLEnvSpec) -> (entities: Int, features: Int) {
    if config.entities >= 0 { return (config.entities, config.entityFeatures) }
    if case .mec(let sc) = spec { return (sc.users, MECEnv.featuresPerUser) }
    return (0, 0)
  }
}

extension EdgeLabBinding {
  /// `edgelab.rl`: PPO and WM-PPO agents (see lua/meta/rl.lua for the full reference).
  ///   rl.ppo{ env = mec_env | "cartpole", seed = 1, total_steps = 100000, <PPO options> } → agent
  ///   rl.wmppo{ ..., wm = { mve_horizon = 3, mve_beta = 0.5, gate = true, model = { hidden = 64 }, ... } } → agent
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
    let run: RLOptions.Run, pc: PPOConfig
    var wc: WMPPOConfig
    do {
      (run, pc) = try RLOptions.decode(t)
      wc = try RLOptions.decodeWorldModel(wmV)
    } catch { throw call.argumentError(1, "\(error)") }
    guard run.seed >= 0 else { throw call.argumentError(1, "option 'seed' must be >= 0") }
    do {
      let make: (Int) throws -> AnyEnvironment = { _ in try spec.make() }
      (wc.model.entities, wc.model.entityFeatures) = RLOptions.entityLayout(wc.model, spec)
      let p = wm ? try PPO.wmppo(config: pc, wm: wc, seed: UInt64(run.seed), totalSteps: run.total_steps, makeEnv: make)
        : try PPO(config: pc, seed: UInt64(run.seed), totalSteps: run.total_steps, makeEnv: make)
      p.checkpointPath = run.checkpoint_path
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
