// Token sampling: greedy, temperature, top-k, top-p (nucleus), seeded (TensorCore RNG; no global state).
import TensorCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct Sampling: Sendable, Equatable, Codable {
  /// 0 = greedy (argmax).
  public var temperature: Float
  /// Keep only the k most likely tokens (0 = off).
  public var topK: Int
  /// Keep the smallest set of tokens whose probability mass reaches p (1 = off).
  public var topP: Float
  public var seed: UInt64

  public init(temperature: Float = 0, topK: Int = 0, topP: Float = 1, seed: UInt64 = 0) {
    self.temperature = temperature; self.topK = topK; self.topP = topP; self.seed = seed
  }
  public static let greedy = Sampling()

  /// Rejects values that would make sampling meaningless (NaN or negative temperature, top_p outside (0, 1]).
  public func validate() throws {
    try Limits.real(Double(temperature), name: "temperature", min: 0, max: 1e6)
    guard topP.isFinite, topP > 0, topP <= 1 else { throw LimitError("top_p = \(topP) is out of range (allowed (0, 1])") }
    try Limits.size(topK, max: Int(Int32.max), name: "top_k")
  }

  /// Pick a token from one row of logits.
  public func sample(_ logits: UnsafeBufferPointer<Float>, rng: inout RNG) -> Int32 {
    if temperature <= 0 {
      var best = 0
      for i in 1..<logits.count where logits[i] > logits[best] { best = i }
      return Int32(best)
    }
    var idx = Array(0..<logits.count)
    if topK > 0 && topK < idx.count {
      idx.sort { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
      idx.removeLast(idx.count - topK)
    } else {
      idx.sort { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
    }
    let m = Double(logits[idx[0]])
    var p = idx.map { exp((Double(logits[$0]) - m) / Double(temperature)) }
    let z = p.reduce(0, +)
    for i in p.indices { p[i] /= z }
    if topP < 1 {
      var cum = 0.0, keep = p.count
      for i in p.indices { cum += p[i]; if cum >= Double(topP) { keep = i + 1; break } }
      p.removeLast(p.count - keep); idx.removeLast(idx.count - keep)
    }
    return Int32(idx[rng.categorical(p)])
  }
}
