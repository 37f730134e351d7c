// Book-keeping of the tokens (prompt + output) of every admitted query until its compute finishes, so
// tests can check conservation: admitted = served + in flight, per place (device or edge GPU). A job whose
// end is not known when it is admitted (continuous batching) is admitted with done = ∞ and gets its end
// time from `finish(id:at:)` when the edge engine completes it.
public struct TokenLedger: Sendable, Equatable {
  public private(set) var admittedLocal = 0, servedLocal = 0
  public private(set) var admittedEdge = 0, servedEdge = 0
  /// Jobs in flight: tokens, place (user index >= 0 for local, -1 - gpu for edge), start and done times, id.
  public private(set) var tokens: [Int] = [], place: [Int] = [], start: [Double] = [], done: [Double] = []
  public private(set) var ids: [Int] = []

  public init() {}

  mutating func admit(tokens t: Int, place p: Int, start s: Double, done d: Double, id: Int) {
    if p >= 0 { admittedLocal += t } else { admittedEdge += t }
    tokens.append(t); place.append(p); start.append(s); done.append(d); ids.append(id)
  }

  /// Sets the end time of job `id` (admitted with an unknown end).
  mutating func finish(id: Int, at time: Double) {
    if let j = ids.lastIndex(of: id) { done[j] = time }
  }

  /// Removes the jobs finished by `time` and counts their tokens as served.
  mutating func retire(upTo time: Double) {
    var w = 0
    for r in 0..<tokens.count {
      if done[r] <= time {
        if place[r] >= 0 { servedLocal += tokens[r] } else { servedEdge += tokens[r] }
      } else {
        tokens[w] = tokens[r]; place[w] = place[r]; start[w] = start[r]; done[w] = done[r]; ids[w] = ids[r]; w += 1
      }
    }
    let drop = tokens.count - w
    tokens.removeLast(drop); place.removeLast(drop); start.removeLast(drop); done.removeLast(drop); ids.removeLast(drop)
  }

  public var inFlightLocal: Int { zip(tokens, place).filter { $0.1 >= 0 }.map(\.0).reduce(0, +) }
  public var inFlightEdge: Int { zip(tokens, place).filter { $0.1 < 0 }.map(\.0).reduce(0, +) }

  /// Remaining compute seconds of the local jobs of `user` after `time`.
  public func remainingLocalWork(user: Int, after time: Double) -> Double {
    var r = 0.0
    for j in 0..<tokens.count where place[j] == user && done[j] > time { r += done[j] - max(start[j], time) }
    return r
  }
}
