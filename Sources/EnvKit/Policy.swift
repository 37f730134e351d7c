// The policy interface shared by learned agents (module RL) and classic baselines (module MEC):
//   act(obs:mask:env:) -> [Int]   — one action vector in the env's action space.
// `env` is the live environment, passed only by evaluators that allow it: learned policies ignore it; a
// baseline that uses it ("full knowledge of the slot", e.g. MEC's greedy / Lyapunov / oracle) downcasts it to
// the concrete env type and must not mutate it. `reset(seed:)` is called at the start of each evaluated
// episode so stochastic policies are reproducible.
import TensorCore

public protocol Policy {
  var name: String { get }
  mutating func reset(seed: UInt64)
  mutating func act(obs: [Float], mask: [Bool]?, env: (any Environment)?) throws -> [Int]
}

public extension Policy {
  mutating func reset(seed: UInt64) {}
}

/// Uniformly random among allowed actions (per dimension), from its own seeded stream.
public struct RandomPolicy: Policy {
  public let actionSpace: ActionSpace
  public var rng: RNG
  public var name: String { "random" }
  public init(actionSpace: ActionSpace, seed: UInt64 = 0) {
    self.actionSpace = actionSpace
    rng = RNG(seed: seed).split("policy")
  }
  public mutating func reset(seed: UInt64) { rng = RNG(seed: seed).split("policy") }
  public mutating func act(obs: [Float], mask: [Bool]?, env: (any Environment)?) throws -> [Int] {
    actionSpace.sample(&rng, mask: mask)
  }
}

/// A type-erased environment (for bindings that must hold "some env" without knowing its type).
/// Note: when the wrapped env is a class, copies of the box share its state.
public struct AnyEnvironment: Environment {
  public var base: any Environment
  public init(_ base: any Environment) { self.base = base }
  public var observationSpace: BoxSpace { base.observationSpace }
  public var actionSpace: ActionSpace { base.actionSpace }
  public var infoKeys: [String] { base.infoKeys }
  public var costKeys: [String] { base.costKeys }
  public var maxEpisodeSteps: Int? { base.maxEpisodeSteps }
  public func actionMask() -> [Bool]? { base.actionMask() }
  public mutating func reset(seed: UInt64?) -> (obs: [Float], info: StepInfo) { base.reset(seed: seed) }
  public mutating func step(_ action: [Int]) throws -> Step { try base.step(action) }
}

/// A type-erased policy (for bindings that hold "some policy", e.g. a learned agent handed to an evaluator).
public struct AnyPolicy: Policy {
  public var base: any Policy
  public init(_ base: any Policy) { self.base = base }
  public var name: String { base.name }
  public mutating func reset(seed: UInt64) { base.reset(seed: seed) }
  public mutating func act(obs: [Float], mask: [Bool]?, env: (any Environment)?) throws -> [Int] {
    try base.act(obs: obs, mask: mask, env: env)
  }
}
