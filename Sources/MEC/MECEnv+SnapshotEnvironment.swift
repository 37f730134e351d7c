// MECEnv as an EnvKit `SnapshotEnvironment` (used by WM-PPO's perfect-model ablation): `clone()` is the exact
// copy of MECEnv+Snapshot.swift; `reseedExogenous` replaces the arrival, channel and episode streams by ones
// derived from `seed`, leaving the state (queues, channel, backlogs, virtual queues) untouched — so a copy
// samples a fresh future from the same state instead of replaying the original's draws.
import EnvKit
import TensorCore

extension MECEnv: SnapshotEnvironment {
  public func reseedExogenous(_ seed: UInt64) {
    let root = RNG(seed: seed).split("exogenous")
    arrivalRng = root.split("arrivals")
    channelRng = root.split("channel")
    episodeRng = root.split("episodes")
  }
}
