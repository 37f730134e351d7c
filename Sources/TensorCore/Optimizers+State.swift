// Adam state export/import for exact checkpoint/resume (added by the RL helper; the RL checkpoints need the
// first/second moments and per-parameter step counts, not only the parameters).

public struct AdamState: Codable, Equatable, Sendable {
  public var steps: [Int]
  public var m: [[Float]]
  public var v: [[Float]]
}

extension Adam {
  public func exportState() -> AdamState {
    AdamState(steps: steps, m: m.map { $0.toArray() }, v: v.map { $0.toArray() })
  }

  /// Restores moments and step counts; the shapes must match this optimizer's parameters.
  public func importState(_ s: AdamState) throws {
    guard s.steps.count == params.count, s.m.count == params.count, s.v.count == params.count else {
      throw TensorError.invalidArgument(op: "Adam.importState", message: "state has \(s.m.count) parameter slots, optimizer has \(params.count)")
    }
    for k in 0..<params.count {
      guard s.m[k].count == m[k].count, s.v[k].count == v[k].count else {
        throw TensorError.invalidArgument(op: "Adam.importState", message: "slot \(k) has \(s.m[k].count) values, parameter has \(m[k].count)")
      }
    }
    for k in 0..<params.count {
      steps[k] = s.steps[k]
      let mp = m[k].data, vp = v[k].data
      for i in 0..<s.m[k].count { mp[i] = s.m[k][i]; vp[i] = s.v[k][i] }
    }
    stepCount = steps.max() ?? 0   // as `loadState` does: the resumed optimizer reports the steps it has taken
  }
}
