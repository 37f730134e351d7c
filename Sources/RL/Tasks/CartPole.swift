// CartPole as an EnvKit environment: the classic control task PPO must solve in the tests.
// Reward +1 per step (including the failing one, as in Gymnasium v1); terminated when the pole falls or the
// cart leaves the track; truncated at `maxSteps` (default 500, CartPole-v1's limit; v0's was 200, solved at ≥ 195).
import EnvKit
import TensorCore

public struct CartPole: SnapshotEnvironment {
  public var dynamics: CartPoleDynamics
  public private(set) var rng: RNG
  public private(set) var elapsed = 0
  public let maxSteps: Int
  private var needsReset = true

  public init(seed: UInt64 = 0, maxSteps: Int = 500) {
    rng = RNG(seed: seed)
    dynamics = CartPoleDynamics(state: [0, 0, 0, 0])
    self.maxSteps = maxSteps
  }

  public var observationSpace: BoxSpace {
    // Bounds: twice the termination thresholds for x and θ; velocities unbounded.
    try! BoxSpace(low: [-4.8, -.infinity, -0.42, -.infinity], high: [4.8, .infinity, 0.42, .infinity])
  }
  public var actionSpace: ActionSpace { .discrete(2) }
  public var maxEpisodeSteps: Int? { maxSteps }

  public mutating func reset(seed: UInt64?) -> (obs: [Float], info: StepInfo) {
    if let s = seed { rng = RNG(seed: s) }
    dynamics = CartPoleDynamics.reset(rng: &rng)
    elapsed = 0
    needsReset = false
    return (dynamics.observation, StepInfo())
  }

  /// A value type: the copy is the snapshot.
  public func clone() -> CartPole { self }
  /// The dynamics are deterministic; the generator only draws the next reset's start state.
  public mutating func reseedExogenous(_ seed: UInt64) { rng = RNG(seed: seed) }

  public mutating func step(_ action: [Int]) throws -> Step {
    if needsReset { throw EnvError.needsReset("CartPole: call reset before step") }
    try actionSpace.validate(action)
    let fell = dynamics.step(action: action[0])
    elapsed += 1
    let trunc = !fell && elapsed >= maxSteps
    if fell || trunc { needsReset = true }
    return Step(obs: dynamics.observation, reward: 1, terminated: fell, truncated: trunc)
  }
}
