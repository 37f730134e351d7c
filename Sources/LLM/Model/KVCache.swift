// Key/value cache for incremental decoding. A value type: copying it forks the conversation state (arrays
// are copy-on-write), `truncate(to:)` drops positions so a prompt prefix can be reused for several
// continuations (the evaluation scores many answers after one shared context).

public struct KVCache: Sendable {
  /// Per layer: keys/values of all cached positions, [count × kvHeads·headDim] row-major (after RoPE).
  public internal(set) var keys: [[Float]]
  public internal(set) var values: [[Float]]
  /// Per layer row width (kvHeads·headDim).
  public let widths: [Int]
  /// Number of cached positions.
  public internal(set) var count: Int = 0

  public init(config: LlamaConfig, reserve: Int = 0) {
    widths = (0..<config.layers).map { config.kvHeads[$0] * config.headDim }
    keys = widths.map { w in var a = [Float](); a.reserveCapacity(w * reserve); return a }
    values = keys
  }

  /// Keep only the first `n` positions.
  public mutating func truncate(to n: Int) {
    let n = max(0, n)
    guard n < count else { return }
    for l in 0..<widths.count {
      keys[l].removeLast(keys[l].count - n * widths[l])
      values[l].removeLast(values[l].count - n * widths[l])
    }
    count = n
  }

  public mutating func reset() { truncate(to: 0) }

  /// Bytes held (Float32).
  public var byteCount: Int { zip(keys, values).reduce(0) { $0 + 4 * ($1.0.count + $1.1.count) } }
}
