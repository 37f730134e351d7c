import EnvKit
import Foundation
import LuaBridge
import MEC

/// Holds an MEC env for Lua, with the seed `env:reset()` uses when called without one.
public final class MECEnvBox {
  public let env: MECEnv
  public var defaultSeed: UInt64?
  public init(_ env: MECEnv, seed: UInt64?) { self.env = env; defaultSeed = seed }
}

/// An exact snapshot of an env's state (`env:snapshot()`), with the box's pending default reset seed.
public final class MECSnapshotBox {
  public let snapshot: MECEnv.Snapshot
  public let defaultSeed: UInt64?
  public init(_ s: MECEnv.Snapshot, seed: UInt64?) { snapshot = s; defaultSeed = seed }
}

/// A baseline policy bound to the env it may peek at.
public final class MECPolicyBox {
  public var policy: MECBaseline
  public let env: MECEnv
  public init(_ p: MECBaseline, env: MECEnv) { policy = p; self.env = env }
}

/// A Lua function `f(obs, mask) -> actions` used as a policy (one Lua call per slot: for scripting, not speed).
struct LuaFunctionPolicy: Policy {
  let fn: LuaFunction
  var name: String { "lua-function" }
  mutating func act(obs: [Float], mask: [Bool]?, env: (any Environment)?) throws -> [Int] {
    let r = try fn.call([.array(obs.map { .number(Double($0)) }), mask.map { .array($0.map { .boolean($0) }) } ?? .nil])
    return try MECBinding.actions(r.first ?? .nil, what: "policy function result")
  }
}

extension EdgeLabBinding {
  /// `edgelab.mec`: the MEC offloading environment, classic baselines and their evaluation.
  ///   mec.env{ scenario = "paper", users = 20, rho = 0.9, seed = 1, <any MECScenario field> } → env
  ///       (unknown keys are errors; field names as in Sources/MEC/Scenario.swift, e.g. arrivalRate)
  ///   env:reset([seed]) → obs, info;  env:step(actions) → obs, reward, terminated, truncated, info
  ///       actions: array of N integers, 0 = offload, 1 = best local variant, 2 = second variant, …
  ///   env:mask() → flat array of N·choices booleans;  env:outcome() → the last slot's per-query breakdown
  ///   env:snapshot() → s;  env:restore(s) (exact: replays bit-identical steps);  env:clone() → independent env
  ///   env.users, env.choices, env.obs_dim, env.horizon, env.info_keys, env.scenario, env.devices
  ///   mec.baseline(name, env [, seed]) → policy with policy:act(obs, mask) → actions
  ///   mec.evaluate(policy | function(obs, mask), env, { episodes = 1, seeds = {1} }) → metrics table
  ///   mec.diagnose(env | scenario options [, opts]) → feasibility per class, headroom, binding constraints, verdict
  ///   mec.baselines() → names;  mec.scenarios() → names;  mec.check(env [, seed]) → { passed, problems }
  public static let mec = EdgeLabBinding("mec") { m, _ in
    m.function("env") { call in try MECBinding.makeEnv(call) }
    m.function("baseline") { call in
      let name = try call.string(1)
      let box = try call.object(2, MECBinding.envClass)
      let seed = try call.optInteger(3, 0)
      guard seed >= 0 else { throw call.argumentError(3, "seed must be >= 0, got \(seed)") }
      let p: MECBaseline
      do { p = try MECBaseline(name: name, seed: UInt64(seed)) } catch { throw call.argumentError(1, "\(error)") }
      call.push(MECPolicyBox(p, env: box.env), as: MECBinding.policyClass)
      return 1
    }
    m.function("evaluate") { call in try MECBinding.evaluate(call) }
    m.function("diagnose") { call in try MECBinding.diagnose(call) }
    m.function("baselines") { call in call.push(.array(MECBaselineKind.allCases.map { .string($0.rawValue) })); return 1 }
    m.function("scenarios") { call in call.push(.array(MECScenario.builtInNames.map { .string($0) })); return 1 }
    m.function("check") { call in
      let box = try call.object(1, MECBinding.envClass)
      let seed = try call.optInteger(2, 12345)
      var env = box.env
      let r = EnvChecker.check(&env, seed: UInt64(max(seed, 0)), steps: 200)
      call.push(.table(["passed": .boolean(r.passed), "problems": .array(r.problems.map { .string($0) }),
                        "steps": .integer(r.stepsChecked), "episodes": .integer(r.episodesChecked)]))
      return 1
    }
  }
}

public enum MECBinding {
  /// `mec.evaluate`'s options.
  struct EvaluateOptions: Codable { var episodes = 1; var seeds: [Int] = [1] }


  static func makeEnv(_ call: LuaCall) throws -> Int32 {
    let (s, seed) = try scenario(call, 1)
    let env: MECEnv
    do { env = try MECEnv(scenario: s) } catch { throw call.argumentError(1, "\(error)") }
    call.push(MECEnvBox(env, seed: seed), as: envClass)
    return 1
  }

  /// The scenario (and optional seed) of an options table at `i` (`scenario` = built-in base, then fields).
  static func scenario(_ call: LuaCall, _ i: Int32) throws -> (MECScenario, UInt64?) {
    guard case .table(var t) = call.isNoneOrNil(i) ? LuaValue.table([:]) : try call.table(i) else {
      throw call.argumentError(i, "options must be a table with string keys")
    }
    let name = t.removeValue(forKey: "scenario")
    let seedV = t.removeValue(forKey: "seed")
    var base: MECScenario
    do { base = try MECScenario.named(name?.stringValue ?? "paper") } catch { throw call.argumentError(i, "\(error)") }
    if let n = name, n.stringValue == nil { throw call.argumentError(i, "option 'scenario' must be a string") }
    var seed: UInt64? = nil
    if let sv = seedV, !sv.isNil {
      guard let s = sv.intValue, s >= 0 else { throw call.argumentError(i, "option 'seed' must be an integer >= 0") }
      seed = UInt64(s)
    }
    do { return (try LuaDecoder().decode(from: .table(t), defaults: base), seed) } catch {
      let m = "\(error)"
      throw call.argumentError(i, m.contains("unknown option") ? m + "; also accepted: scenario, seed" : m)
    }
  }

  /// `mec.diagnose(env | scenario options [, { seeds, episodes, min_headroom, lookahead_max_users }])`.
  static func diagnose(_ call: LuaCall) throws -> Int32 {
    let s: MECScenario
    if let box = envClass.object(call.L, at: 1) { s = box.env.scenario } else { s = try scenario(call, 1).0 }
    let o = try call.decode(2, defaults: MECDiagnoseOptions())
    let d: MECDiagnosis
    do { d = try MECDiagnostics.diagnose(s, options: o) } catch { throw call.argumentError(2, "\(error)") }
    call.push(try LuaEncoder().encode(d))
    return 1
  }

  static func actions(_ v: LuaValue, what: String) throws -> [Int] {
    guard let arr = v.arrayValue else { throw LuaBridgeError.message("\(what) must be an array of integers, got \(v.kindName)") }
    return try arr.enumerated().map { i, x in
      guard let a = x.intValue else { throw LuaBridgeError.message("\(what)[\(i + 1)] must be an integer, got \(x.kindName)") }
      return a
    }
  }

  static func obsValue(_ o: [Float]) -> LuaValue { .array(o.map { .number(Double($0)) }) }

  static func infoValue(_ env: MECEnv, _ info: StepInfo) -> LuaValue {
    .table(env.dictionary(info).mapValues { .number($0) })
  }

  static func evaluate(_ call: LuaCall) throws -> Int32 {
    let box = try call.object(2, envClass)
    let o = try call.decode(3, defaults: EvaluateOptions())
    guard o.episodes >= 1 else { throw call.argumentError(3, "episodes must be >= 1, got \(o.episodes)") }
    guard !o.seeds.isEmpty, o.seeds.allSatisfy({ $0 >= 0 }) else { throw call.argumentError(3, "seeds must be a non-empty array of integers >= 0") }
    let seeds = o.seeds.map { UInt64($0) }
    let r: MECEvaluation
    if let pb = policyClass.object(call.L, at: 1) {
      guard pb.env === box.env else { throw call.argumentError(1, "policy was made for another env") }
      r = try MECEvaluator.evaluate(&pb.policy, env: box.env, episodes: o.episodes, seeds: seeds)
    } else if case .ref(let ref) = try call.value(1), ref.typeName == "function" {
      var p = LuaFunctionPolicy(fn: try call.function(1))
      r = try MECEvaluator.evaluate(&p, env: box.env, episodes: o.episodes, seeds: seeds)
    } else {
      throw call.typeError(1, expected: "edgelab.mec.Policy or function")
    }
    var t = r.dictionary.mapValues { LuaValue.number($0) }
    t["policy"] = .string(r.policy)
    t["episodes"] = .integer(r.episodes)
    t["queries"] = .integer(r.queries)
    t["classes"] = try LuaEncoder().encode(r.classes)
    t["user_energy_w"] = .array(r.userEnergyW.map { .number($0) })
    call.push(.table(t))
    return 1
  }

  public static let envClass: LuaClass<MECEnvBox> = LuaClass<MECEnvBox>("edgelab.mec.Env")
    .method("reset") { call, b in
      var seed = b.defaultSeed
      if !call.isNoneOrNil(2) {
        let s = try call.integer(2)
        guard s >= 0 else { throw call.argumentError(2, "seed must be >= 0, got \(s)") }
        seed = UInt64(s)
      }
      b.defaultSeed = nil  // later argument-less resets continue the episode stream
      let (o, info) = b.env.reset(seed: seed)
      call.push(obsValue(o))
      call.push(infoValue(b.env, info))
      return 2
    }
    .method("step") { call, b in
      let a: [Int]
      do { a = try actions(try call.value(2), what: "actions") } catch { throw call.argumentError(2, "\(error)") }
      // 1-based positions for Lua users (Swift's own message counts from 0).
      if a.count == b.env.numUsers, let u = a.firstIndex(where: { $0 < 0 || $0 >= b.env.choices }) {
        throw call.argumentError(2, "actions[\(u + 1)] = \(a[u]) outside 0..\(b.env.choices - 1) (0 = offload, 1… = local variant)")
      }
      let st: Step
      do { st = try b.env.step(a) } catch { throw call.argumentError(2, "\(error)") }
      call.push(obsValue(st.obs))
      call.push(Double(st.reward))
      call.push(st.terminated)
      call.push(st.truncated)
      call.push(infoValue(b.env, st.info))
      return 5
    }
    .method("mask") { call, b in
      call.push(.array((b.env.actionMask() ?? []).map { .boolean($0) }))
      return 1
    }
    .method("outcome") { call, b in
      let o = b.env.lastOutcome, q = b.env.lastQueries
      func col(_ x: [Double]) -> LuaValue { .array(x.prefix(q.count).map { .number($0) }) }
      call.push(.table([
        "user": .array(q.map { .integer($0.user + 1) }), "prompt": .array(q.map { .integer($0.prompt) }),
        "output": .array(q.map { .integer($0.output) }), "task_class": .array(q.map { .integer($0.taskClass + 1) }),
        "latency": col(o.latency), "transmit": col(o.transmit), "queue": col(o.queue), "compute": col(o.compute),
        "energy": col(o.energy), "accuracy": col(o.accuracy), "eff_accuracy": col(o.effAccuracy),
        "hallucination": col(o.hallucination), "offloaded": .array(o.model.prefix(q.count).map { .boolean($0 < 0) }),
        "user_energy": .array(o.userEnergy.map { .number($0) }),
      ]))
      return 1
    }
    .method("snapshot") { call, b in
      call.push(MECSnapshotBox(b.env.snapshot(), seed: b.defaultSeed), as: snapshotClass)
      return 1
    }
    .method("restore") { call, b in
      let s = try call.object(2, snapshotClass)
      do { try b.env.restore(s.snapshot) } catch { throw call.argumentError(2, "\(error)") }
      b.defaultSeed = s.defaultSeed
      return 0
    }
    .method("clone") { call, b in
      call.push(MECEnvBox(b.env.clone(), seed: b.defaultSeed), as: envClass)
      return 1
    }
    .property("users") { b in .integer(b.env.numUsers) }
    .property("choices") { b in .integer(b.env.choices) }
    .property("obs_dim") { b in .integer(b.env.observationSpace.count) }
    .property("horizon") { b in .integer(b.env.scenario.horizon) }
    .property("info_keys") { b in .array(b.env.infoKeys.map { .string($0) }) }
    .property("cost_keys") { b in .array(b.env.costKeys.map { .string($0) }) }
    .property("slot") { b in .integer(b.env.slot) }
    .property("scenario") { b in try LuaEncoder().encode(b.env.scenario) }
    .property("devices") { b in .array(b.env.layout.users.map { .string($0.device.name) }) }
    .property("models") { b in .array(b.env.layout.users.map { .string($0.variants.first?.card.name ?? "") }) }
    .tostring { b in "edgelab.mec.Env(\(b.env.scenario.name), users=\(b.env.numUsers))" }

  public static let snapshotClass: LuaClass<MECSnapshotBox> = LuaClass<MECSnapshotBox>("edgelab.mec.Snapshot")
    .property("slot") { b in .integer(b.snapshot.slot) }
    .tostring { b in "edgelab.mec.Snapshot(\(b.snapshot.scenario.name), slot=\(b.snapshot.slot))" }

  public static let policyClass: LuaClass<MECPolicyBox> = LuaClass<MECPolicyBox>("edgelab.mec.Policy")
    .method("act") { call, b in
      let obs = try call.numbers(2).map { Float($0) }
      let mask = try call.optBooleans(3)
      let a = try b.policy.act(obs: obs, mask: mask, env: b.env)
      call.push(.array(a.map { .integer($0) }))
      return 1
    }
    .property("name") { b in .string(b.policy.name) }
    .tostring { b in "edgelab.mec.Policy(\(b.policy.name))" }
}
