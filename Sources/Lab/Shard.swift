// Sharding a run's grids (docs/decisions/0300-sharded-runs.md).
//
// A sharded run `--shard i/K` executes, of every outermost grid the script iterates with `run:grid`, the
// points whose global ordinal is ≡ i (mod K). The global ordinal of point p (0-based) of the g-th outermost
// grid is p + Σ_{h<g} n_h (the sizes of the earlier outermost grids), so consecutive grids keep filling the
// shards round-robin instead of always starting at shard 0. Over i = 0…K−1 these slices partition every grid.
//
// Every row a sharded run writes carries an order key (segment, point, seq): segments count grid entries and
// exits (even = outside any grid, odd = inside the ((segment+1)/2)-th outermost grid), point is the point's
// index in its grid (0 outside), seq the row's rank within that (segment, point) for its file. An unsharded
// run writes its rows in exactly the ascending order of these keys, so sorting the union of the shards' rows
// by key reproduces the unsharded file byte for byte. Rows written outside a grid are identical in every
// shard (they do not depend on the slice) and are kept from shard 0 only.
//
// Points are made independent of the slice by reseeding Lua's math.random at each point (and after each
// grid) from (root seed, grid number, point index) with SplitMix64.
import Foundation

/// "i/K": shard i (0-based) of K.
public struct ShardSpec: Equatable, Sendable, CustomStringConvertible {
  public let index: Int
  public let count: Int

  public init(index: Int, count: Int) throws {
    guard count >= 1 else { throw LabError.invalidName("shard count must be >= 1, got \(count)") }
    guard index >= 0 && index < count else {
      throw LabError.invalidName("shard index must be in 0…\(count - 1) for \(count) shards, got \(index)")
    }
    self.index = index
    self.count = count
  }

  /// Parses "i/K" (e.g. "3/8").
  public init(parsing text: String) throws {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, let i = Int(parts[0]), let k = Int(parts[1]) else {
      throw LabError.invalidName("shard must be written i/K (e.g. 0/4), got '\(text)'")
    }
    try self.init(index: i, count: k)
  }

  public var description: String { "\(index)/\(count)" }

  /// The indices (0-based, ascending) of a grid of `size` points that this shard runs, when `offset` points
  /// of earlier outermost grids came before it.
  public func slice(size: Int, offset: Int) -> [Int] {
    guard size > 0 else { return [] }
    let first = ((index - offset) % count + count) % count
    return Array(stride(from: first, to: size, by: count))
  }
}

/// The order key of a row: see the header.
public struct RowKey: Comparable, Hashable, Sendable {
  public var segment: Int
  public var point: Int
  public var seq: Int
  public init(segment: Int, point: Int, seq: Int) { self.segment = segment; self.point = point; self.seq = seq }
  public static func < (a: RowKey, b: RowKey) -> Bool {
    (a.segment, a.point, a.seq) < (b.segment, b.point, b.seq)
  }
  public var isOutsideGrid: Bool { segment % 2 == 0 }
  var line: String { "\(segment) \(point) \(seq)\n" }
  init?(line: Substring) {
    let f = line.split(separator: " ")
    guard f.count == 3, let s = Int(f[0]), let p = Int(f[1]), let q = Int(f[2]) else { return nil }
    self.init(segment: s, point: p, seq: q)
  }
}

/// One `run:grid` iteration. Nested grids (entered while another grid is being iterated) are not sliced.
public final class GridPass {
  public let ordinal: Int          // 1-based number of the outermost grid (0 for nested)
  public let size: Int
  public let indices: [Int]         // 0-based point indices this process runs
  public let nested: Bool
  var left = false
  init(ordinal: Int, size: Int, indices: [Int], nested: Bool) {
    self.ordinal = ordinal; self.size = size; self.indices = indices; self.nested = nested
  }
}

/// Tracks where a run is in its grids (the current order-key segment and point) and which points it runs.
public final class GridCursor {
  /// nil: run every point (an unsharded run or a collect); a spec: that shard's slice.
  let shard: ShardSpec?
  /// true: run no point at all (collect, or planning a sweep).
  let skipAll: Bool
  let rootSeed: UInt64
  public private(set) var segment = 0
  public private(set) var point = 0
  public private(set) var pointsDone = 0
  var outermost = 0
  var offset = 0
  var depth = 0
  var inPoint = false
  /// Called after each finished point of an outermost grid with the number of points done so far.
  var onPointDone: ((Int) -> Void)?

  init(shard: ShardSpec?, skipAll: Bool, rootSeed: UInt64) {
    self.shard = shard; self.skipAll = skipAll; self.rootSeed = rootSeed
  }

  /// Starts iterating a grid of `size` points.
  public func enter(size: Int) -> GridPass {
    depth += 1
    if depth > 1 { return GridPass(ordinal: 0, size: size, indices: Array(0..<max(size, 0)), nested: true) }
    outermost += 1
    segment += 1
    point = 0
    let indices: [Int]
    if skipAll { indices = [] } else if let s = shard { indices = s.slice(size: size, offset: offset) } else {
      indices = Array(0..<max(size, 0))
    }
    offset += max(size, 0)
    return GridPass(ordinal: outermost, size: size, indices: indices, nested: false)
  }

  /// Starts point `index` of `pass`; returns the seed for math.random (nil for nested grids).
  public func begin(_ pass: GridPass, point index: Int) -> Int64? {
    guard !pass.nested, !pass.left else { return nil }
    finishPoint()
    point = index
    inPoint = true
    return GridCursor.seed(rootSeed, pass.ordinal, index)
  }

  /// Ends `pass` (idempotent); returns the seed for math.random after an outermost grid.
  @discardableResult
  public func leave(_ pass: GridPass) -> Int64? {
    guard !pass.left else { return nil }
    pass.left = true
    depth -= 1
    if pass.nested { return nil }
    finishPoint()
    segment += 1
    point = 0
    return GridCursor.seed(rootSeed, pass.ordinal, -1)
  }

  func finishPoint() {
    guard inPoint else { return }
    inPoint = false
    pointsDone += 1
    onPointDone?(pointsDone)
  }

  /// SplitMix64 of the root seed, grid number and point index (−1: after the grid), as a non-negative Int64.
  public static func seed(_ root: UInt64, _ grid: Int, _ point: Int) -> Int64 {
    var x = root
    for v in [UInt64(bitPattern: Int64(grid)), UInt64(bitPattern: Int64(point))] {
      x = splitMix(x ^ v)
    }
    return Int64(bitPattern: x >> 1)
  }

  static func splitMix(_ v: UInt64) -> UInt64 {
    var z = v &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// Writes the order key of each row of one shard file to `<file>.order` and decides which rows a shard
/// keeps (rows outside any grid: shard 0 only).
final class RowOrder {
  let stream: StreamingFile
  let cursor: GridCursor
  let keepOutside: Bool
  var last: (segment: Int, point: Int)?
  var seq = 0

  init(url: URL, cursor: GridCursor, keepOutside: Bool) throws {
    stream = try StreamingFile(url: url)
    self.cursor = cursor
    self.keepOutside = keepOutside
  }

  /// true: write the row (its key has been logged); false: drop it.
  func admit() throws -> Bool {
    let s = cursor.segment, p = cursor.point
    if s % 2 == 0 && !keepOutside { return false }
    if let l = last, l.segment == s, l.point == p { seq += 1 } else { seq = 0; last = (s, p) }
    try stream.write(RowKey(segment: s, point: p, seq: seq).line)
    return true
  }
}
