// Exact copies of an environment's whole state, for imagination on the true simulator (the perfect-model
// ablation of WM-PPO) and look-ahead baselines. A copy replays bit-identical trajectories under the same
// actions; `reseedExogenous` gives a copy a fresh random future (arrivals, fading …) from the same state, so
// imagining on it samples the true transition distribution instead of replaying the real rollout's draws.

public protocol SnapshotEnvironment: Environment {
  /// An independent copy of the whole state (stepping the copy never affects `self`).
  func clone() -> Self
  /// Re-seeds the env's exogenous random streams without touching its state. Deterministic envs: no-op.
  mutating func reseedExogenous(_ seed: UInt64)
}

extension AnyEnvironment {
  /// A type-erased exact copy, or nil when the wrapped env cannot be copied.
  public func clone() -> AnyEnvironment? {
    guard let s = base as? any SnapshotEnvironment else { return nil }
    return AnyEnvironment(s.clone())
  }
  /// Re-seeds the wrapped env's exogenous streams (no-op when it cannot be copied).
  public mutating func reseedExogenous(_ seed: UInt64) {
    guard var s = base as? any SnapshotEnvironment else { return }
    s.reseedExogenous(seed)
    base = s
  }
  public var canSnapshot: Bool { base is any SnapshotEnvironment }
}

/// An exact copy of any env as an `AnyEnvironment` (unwrapping one that already is), or nil.
public func snapshot(of env: some Environment) -> AnyEnvironment? {
  if let a = env as? AnyEnvironment { return a.clone() }
  if let s = env as? any SnapshotEnvironment { return AnyEnvironment(s.clone()) }
  return nil
}
