// The true simulator as an imagination model: each branch is a copy of a real environment (value-type envs
// copy their whole state). Used to test the imagination plumbing exactly (imagined returns must equal real
// returns) and as an "oracle model" upper bound.
import EnvKit

public struct SimulatorModel<E: Environment>: ImaginationModel {
  public typealias State = [E]
  public init() {}

  public func imagineStep(state: inout [E], obs: [Float], actions: [Int], batch: Int) throws
    -> (nextObs: [Float], rewards: [Float], continues: [Float]) {
    let r = try imagineStepWithEnds(state: &state, obs: obs, actions: actions, batch: batch)
    return (r.nextObs, r.rewards, r.continues)
  }

  /// A truncated copy reports it (its next observation is the final one), so imagination bootstraps there
  /// instead of running on into the next episode.
  public func imagineStepWithEnds(state: inout [E], obs: [Float], actions: [Int], batch: Int) throws
    -> (nextObs: [Float], rewards: [Float], continues: [Float], truncated: [Bool]) {
    guard state.count == batch, batch > 0 else { throw RLError.shape("SimulatorModel: \(state.count) envs for batch \(batch)") }
    let h = actions.count / batch
    var next: [Float] = [], rew: [Float] = [], cont: [Float] = [], trunc: [Bool] = []
    for b in 0..<batch {
      let s = try state[b].step(Array(actions[(b * h)..<((b + 1) * h)]))
      next += s.obs
      rew.append(s.reward)
      cont.append(s.terminated ? 0 : 1)
      trunc.append(s.truncated && !s.terminated)
      if s.done { _ = state[b].reset(seed: nil) }  // keep the copy steppable; its rows are masked anyway
    }
    return (next, rew, cont, trunc)
  }

  public func masks(state: [E], batch: Int) -> [Bool]? {
    guard state.first?.actionMask() != nil else { return nil }
    return state.flatMap { $0.actionMask() ?? [Bool](repeating: true, count: $0.actionSpace.maskCount) }
  }
}
