// Validates an environment against the EnvKit contract (in the spirit of Gymnasium's `check_env`):
//  1. spaces are well formed (box bounds, ≥ 1 choice per action dimension), info/cost keys unique;
//  2. `reset(seed:)` returns an observation inside the observation space, finite, with info arrays of the
//     declared lengths;
//  3. the action mask (if any) has length sum(nvec) and allows ≥ 1 choice in every dimension;
//  4. random *allowed* actions for `steps` steps: observations in the space and finite, rewards finite,
//     info metrics/costs finite with the declared lengths, costs ≥ 0, the episode ends no later than
//     `maxEpisodeSteps` and with `truncated` when cut by the limit; `step` after the end throws `needsReset`;
//  5. determinism: reset with the same seed and replaying the same actions gives bit-identical observations,
//     rewards, flags and infos;
//  6. invalid actions (wrong length, out of range) throw `EnvError.invalidAction` instead of crashing.
// The checker reports every problem it finds (it does not stop at the first).
import TensorCore

public struct EnvCheckReport: CustomStringConvertible, Sendable {
  public var problems: [String] = []
  public var stepsChecked = 0
  public var episodesChecked = 0
  public var passed: Bool { problems.isEmpty }
  public var description: String {
    passed ? "env check passed (\(stepsChecked) steps, \(episodesChecked) episodes)"
      : "env check failed:\n" + problems.map { "  - " + $0 }.joined(separator: "\n")
  }
}

private struct CheckRecord: Equatable {
  var obs: [Float]; var reward: Float; var term: Bool; var trunc: Bool; var info: StepInfo
}

public enum EnvChecker {
  /// Runs all checks on `env` (which is reset and stepped; its state afterwards is unspecified).
  public static func check<E: Environment>(_ env: inout E, seed: UInt64 = 12345, steps: Int = 200) -> EnvCheckReport {
    var r = EnvCheckReport()
    func fail(_ m: String) { if r.problems.count < 50 { r.problems.append(m) } }

    let os = env.observationSpace, acts = env.actionSpace
    do { _ = try BoxSpace(low: os.low, high: os.high) } catch { fail("observation space: \(error)") }
    do { try acts.validateSpace() } catch { fail("action space: \(error)") }
    if Set(env.infoKeys).count != env.infoKeys.count { fail("infoKeys are not unique") }
    if Set(env.costKeys).count != env.costKeys.count { fail("costKeys are not unique") }
    if !r.problems.isEmpty { return r }

    func checkObs(_ o: [Float], _ whereText: String) {
      if o.count != os.count { fail("\(whereText): observation has \(o.count) values, space has \(os.count)"); return }
      if let i = o.firstIndex(where: { !$0.isFinite }) { fail("\(whereText): observation[\(i)] = \(o[i]) not finite") }
      else if let i = os.firstViolation(o) {
        fail("\(whereText): observation[\(i)] = \(o[i]) outside [\(os.low[i]), \(os.high[i])]")
      }
    }
    func checkInfo(_ info: StepInfo, _ whereText: String) {
      if info.metrics.count != env.infoKeys.count {
        fail("\(whereText): info has \(info.metrics.count) metrics, infoKeys has \(env.infoKeys.count)")
      }
      if info.costs.count != env.costKeys.count {
        fail("\(whereText): info has \(info.costs.count) costs, costKeys has \(env.costKeys.count)")
      }
      if let i = info.metrics.firstIndex(where: { !$0.isFinite }) {
        fail("\(whereText): info metric '\(i < env.infoKeys.count ? env.infoKeys[i] : "#\(i)")' not finite")
      }
      if let i = info.costs.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
        fail("\(whereText): cost #\(i) = \(info.costs[i]) not finite and >= 0")
      }
    }
    func checkMask(_ whereText: String) -> [Bool]? {
      guard let m = env.actionMask() else { return nil }
      if m.count != acts.maskCount {
        fail("\(whereText): action mask has \(m.count) entries, expected sum(nvec) = \(acts.maskCount)")
        return nil
      }
      var off = 0
      for (d, n) in acts.nvec.enumerated() {
        if !m[off..<(off + n)].contains(true) { fail("\(whereText): action mask allows nothing in dimension \(d)") }
        off += n
      }
      return m
    }

    // Rollout with random allowed actions, recording the trajectory.
    var actionRng = RNG(seed: seed).split("checker-actions")
    func rollout(_ actions: [[Int]]?) -> (first: [Float], recs: [CheckRecord], actions: [[Int]]) {
      let (o0, info0) = env.reset(seed: seed)
      var recs: [CheckRecord] = [], acts_: [[Int]] = []
      var t = 0, epLen = 0
      let replay = actions != nil
      if !replay { checkObs(o0, "reset"); checkInfo(info0, "reset") }
      while t < (actions?.count ?? steps) {
        let mask = checkMask("step \(t)")
        let a = actions?[t] ?? acts.sample(&actionRng, mask: mask)
        acts_.append(a)
        let s: Step
        do { s = try env.step(a) } catch {
          fail("step \(t): step threw for an allowed action \(a): \(error)")
          return (o0, recs, acts_)
        }
        t += 1; epLen += 1
        recs.append(CheckRecord(obs: s.obs, reward: s.reward, term: s.terminated, trunc: s.truncated, info: s.info))
        if !replay {
          r.stepsChecked += 1
          checkObs(s.obs, "step \(t)")
          checkInfo(s.info, "step \(t)")
          if !s.reward.isFinite { fail("step \(t): reward \(s.reward) not finite") }
          if let mx = env.maxEpisodeSteps, epLen > mx { fail("step \(t): episode longer than maxEpisodeSteps \(mx)") }
          if let mx = env.maxEpisodeSteps, epLen == mx, !s.done { fail("step \(t): episode not ended at maxEpisodeSteps \(mx)") }
        }
        if s.done {
          if !replay {
            r.episodesChecked += 1
            do { _ = try env.step(a); fail("step after episode end did not throw needsReset") }
            catch let e as EnvError { if case .needsReset = e {} else { fail("step after end threw \(e), expected needsReset") } }
            catch { fail("step after end threw \(error), expected EnvError.needsReset") }
          }
          let (o, info) = env.reset(seed: nil)
          if !replay { checkObs(o, "autoreset"); checkInfo(info, "autoreset") }
          recs.append(CheckRecord(obs: o, reward: 0, term: false, trunc: false, info: info))
          epLen = 0
        }
      }
      return (o0, recs, acts_)
    }

    let first = rollout(nil)
    let second = rollout(first.actions)
    if first.first != second.first { fail("determinism: reset(seed: \(seed)) twice gave different observations") }
    else if first.recs.count != second.recs.count { fail("determinism: replay produced a different number of records") }
    else if let i = first.recs.indices.first(where: { first.recs[$0] != second.recs[$0] }) {
      fail("determinism: same seed and actions diverged at record \(i)")
    }

    // Invalid actions must throw invalidAction.
    _ = env.reset(seed: seed)
    var bad: [[Int]] = [[Int](repeating: 0, count: acts.count + 1), acts.nvec.map { $0 }, acts.nvec.map { _ in -1 }]
    if acts.count > 0 { bad.append([Int](repeating: 0, count: acts.count - 1)) }
    for a in bad {
      do { _ = try env.step(a); fail("invalid action \(a.count <= 8 ? "\(a)" : "of length \(a.count)") was accepted") }
      catch let e as EnvError { if case .invalidAction = e {} else { fail("invalid action threw \(e), expected invalidAction") } }
      catch { fail("invalid action threw \(error), expected EnvError.invalidAction") }
    }
    return r
  }
}
