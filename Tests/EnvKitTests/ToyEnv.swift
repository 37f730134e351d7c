// A small, correct environment for the EnvKit tests — and deliberately broken variants of it.
import EnvKit
import TensorCore

/// A slippery corridor: positions 0...length, actions {0: left, 1: stay, 2: right}; with probability `slip`
/// the move is reversed. Reaching `length` terminates with reward +1; each step costs -0.01; the episode is
/// truncated after `limit` steps. "left" is masked out at position 0. Observation: [pos/length, t/limit].
struct Corridor: Environment {
  enum Flaw { case none, obsOutOfBounds, nondeterministic, badMaskLength, nanReward, acceptsInvalidAction,
              noTruncation, wrongInfoLength, noNeedsReset }
  var length = 5
  var limit = 20
  var slip = 0.2
  var flaw: Flaw = .none
  var rng = RNG(seed: 0)
  var pos = 0
  var t = 0
  var over = true

  let observationSpace = try! BoxSpace(low: [0, 0], high: [1, 1])
  let actionSpace = ActionSpace.discrete(3)
  var infoKeys: [String] { ["pos"] }
  var costKeys: [String] { ["moved"] }
  var maxEpisodeSteps: Int? { limit }

  init(flaw: Flaw = .none, limit: Int = 20) { self.flaw = flaw; self.limit = limit }

  func obs() -> [Float] {
    var o: [Float] = [Float(pos) / Float(length), Float(t) / Float(limit)]
    if flaw == .obsOutOfBounds && t == 3 { o[0] = 1.5 }
    return o
  }
  func info(_ moved: Bool) -> StepInfo {
    StepInfo(metrics: flaw == .wrongInfoLength ? [Double(pos), 0] : [Double(pos)], costs: [moved ? 1 : 0])
  }

  mutating func reset(seed: UInt64?) -> (obs: [Float], info: StepInfo) {
    if let s = seed { rng = RNG(seed: s) }
    if flaw == .nondeterministic { rng = RNG(seed: UInt64.random(in: 0...UInt64.max)) }
    pos = 0; t = 0; over = false
    return (obs(), info(false))
  }

  mutating func step(_ action: [Int]) throws -> Step {
    if over && flaw != .noNeedsReset { throw EnvError.needsReset("corridor episode ended") }
    if flaw != .acceptsInvalidAction { try actionSpace.validate(action) }
    let a = action.first ?? 1
    var move = a - 1
    if rng.bernoulli(slip) { move = -move }
    let old = pos
    pos = min(max(pos + move, 0), length)
    t += 1
    let term = pos == length
    let trunc = !term && t >= limit && flaw != .noTruncation
    over = term || trunc
    var r: Float = term ? 1 : -0.01
    if flaw == .nanReward && t == 2 { r = .nan }
    return Step(obs: obs(), reward: r, terminated: term, truncated: trunc, info: info(pos != old))
  }

  func actionMask() -> [Bool]? {
    if flaw == .badMaskLength { return [true, true] }
    return [pos > 0, true, true]
  }
}
