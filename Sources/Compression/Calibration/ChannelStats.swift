// Streaming per-channel statistics of an activation matrix [rows × cols]: count, Σx, Σx² (Double), so memory
// is O(cols) whatever the number of calibration tokens.
//   mean_j = Σx_j / n;  var_j = Σx_j²/n − mean_j² (population variance);  rms_j = √(Σx_j²/n).
public struct ChannelStats: Sendable, Equatable, Codable {
  public private(set) var count: Int = 0
  public private(set) var sum: [Double]
  public private(set) var sumSq: [Double]

  public init(cols: Int) {
    sum = [Double](repeating: 0, count: cols); sumSq = sum
  }

  public var cols: Int { sum.count }

  public mutating func add(_ x: UnsafeBufferPointer<Float>, rows: Int, cols c: Int) {
    precondition(c == cols && x.count >= rows * c, "ChannelStats: \(rows)×\(c) into \(cols) channels")
    sum.withUnsafeMutableBufferPointer { s in
      sumSq.withUnsafeMutableBufferPointer { q in
        for r in 0..<rows {
          let row = x.baseAddress! + r * c
          for j in 0..<c { let v = Double(row[j]); s[j] += v; q[j] += v * v }
        }
      }
    }
    count += rows
  }

  public var mean: [Double] { sum.map { $0 / Double(max(count, 1)) } }
  public var meanSquare: [Double] { sumSq.map { $0 / Double(max(count, 1)) } }
  public var rms: [Double] { meanSquare.map { $0.squareRoot() } }
  public var variance: [Double] {
    let n = Double(max(count, 1))
    return zip(sum, sumSq).map { max(0, $1 / n - ($0 / n) * ($0 / n)) }
  }
}
