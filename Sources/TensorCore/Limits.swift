// Checked limits where a number from a script, a config or a file becomes a size, a count or a parameter.
// Every check throws a `LimitError` naming the option and the allowed range ("users = 1e+12 is out of range
// (allowed 1 ... 100000)"), so bad input is a one-line error, never a Swift trap, a failed allocation
// (SIGABRT) or a loop that runs for hours. The memory budget compares an allocation's estimated bytes with
// the memory available (/proc/meminfo MemAvailable), overridable with EDGELAB_MEMORY_BUDGET (bytes, or with
// a K/M/G suffix). See docs/decisions/0500-limits-and-cancellation.md.
import Foundation

public struct LimitError: Error, CustomStringConvertible, LocalizedError, Equatable {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
  public var errorDescription: String? { message }
}

public enum Limits {
  /// Largest element count of any single tensor or buffer built from user input (2^34 floats = 64 GiB: the
  /// memory budget is the tighter check in practice; this one keeps products far from Int overflow).
  public static let maxElements = 1 << 34

  // MARK: integers

  /// `value` checked to lie in `min...max`; the error names `name` and the range.
  @discardableResult
  public static func size(_ value: Int, max: Int, name: String, min: Int = 0) throws -> Int {
    guard value >= min, value <= max else { throw LimitError("\(name) = \(value) is out of range (allowed \(min) ... \(max))") }
    return value
  }

  /// Any integer (UInt64 from a file, Int64 from Lua) as Int in `min...max`, without trapping.
  public static func int<T: BinaryInteger>(_ value: T, name: String, min: Int = Int.min, max: Int = Int.max) throws -> Int {
    guard let v = Int(exactly: value), v >= min, v <= max else {
      throw LimitError("\(name) = \(value) is out of range (allowed \(min) ... \(max))")
    }
    return v
  }

  /// A Double that must be a whole number in `min...max` (Lua numbers such as 1e9 or 0/0).
  public static func int(_ value: Double, name: String, min: Int = Int.min, max: Int = Int.max) throws -> Int {
    guard value.isFinite, let v = Int(exactly: value.rounded(.towardZero)), value == value.rounded(.towardZero) else {
      throw LimitError("\(name) = \(value) must be a whole number in \(min) ... \(max)")
    }
    return try size(v, max: max, name: name, min: min)
  }

  /// A value that must fit Int32 (token ids, C kernel arguments).
  public static func int32<T: BinaryInteger>(_ value: T, name: String) throws -> Int32 {
    guard let v = Int32(exactly: value) else {
      throw LimitError("\(name) = \(value) does not fit a 32-bit integer (allowed \(Int32.min) ... \(Int32.max))")
    }
    return v
  }

  /// Product of sizes, throwing instead of overflowing (and above `maxElements`).
  public static func product(_ sizes: [Int], name: String) throws -> Int {
    var n = 1
    for s in sizes {
      guard s >= 0 else { throw LimitError("\(name): negative size \(s) in \(sizes)") }
      let (m, o) = n.multipliedReportingOverflow(by: s)
      guard !o, m <= maxElements else { throw LimitError("\(name): \(sizes) has too many elements (limit \(maxElements))") }
      n = m
    }
    return n
  }

  // MARK: reals

  /// A finite real in `min...max` (NaN and ±inf rejected).
  @discardableResult
  public static func real(_ value: Double, name: String, min: Double = -.greatestFiniteMagnitude,
                          max: Double = .greatestFiniteMagnitude) throws -> Double {
    guard value.isFinite, value >= min, value <= max else {
      throw LimitError("\(name) = \(value) is out of range (allowed finite \(fmt(min)) ... \(fmt(max)))")
    }
    return value
  }

  @discardableResult
  public static func real(_ value: Float, name: String, min: Double = -.greatestFiniteMagnitude,
                          max: Double = .greatestFiniteMagnitude) throws -> Float {
    Float(try real(Double(value), name: name, min: min, max: max))
  }

  /// A probability: finite, in [0, 1].
  @discardableResult
  public static func probability(_ value: Double, name: String) throws -> Double {
    try real(value, name: name, min: 0, max: 1)
  }

  /// A strictly positive finite real (learning rates, temperatures when 0 is not a special case).
  @discardableResult
  public static func positive(_ value: Double, name: String) throws -> Double {
    guard value.isFinite, value > 0 else { throw LimitError("\(name) = \(value) must be a finite number > 0") }
    return value
  }

  static func fmt(_ x: Double) -> String {
    if x == .greatestFiniteMagnitude { return "max" }
    if x == -.greatestFiniteMagnitude { return "-max" }
    return x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)"
  }

  // MARK: memory budget

  nonisolated(unsafe) static var cachedBudget: Int?

  /// Bytes an allocation may take: EDGELAB_MEMORY_BUDGET when set, else the memory available now
  /// (MemAvailable of /proc/meminfo; 8 GiB when that cannot be read).
  public static var memoryBudget: Int {
    if let b = cachedBudget { return b }
    let b = parseBytes(ProcessInfo.processInfo.environment["EDGELAB_MEMORY_BUDGET"]) ?? availableMemory() ?? (8 << 30)
    cachedBudget = b
    return b
  }

  /// Overrides the budget (tests); nil goes back to the environment / available memory.
  public static func setMemoryBudget(_ bytes: Int?) { cachedBudget = bytes }

  /// "123", "64K", "512M", "8G" → bytes.
  public static func parseBytes(_ text: String?) -> Int? {
    guard var t = text?.trimmingCharacters(in: .whitespaces).uppercased(), !t.isEmpty else { return nil }
    var scale = 1
    if t.hasSuffix("B") { t.removeLast() }
    switch t.last {
    case "K": scale = 1 << 10; t.removeLast()
    case "M": scale = 1 << 20; t.removeLast()
    case "G": scale = 1 << 30; t.removeLast()
    case "T": scale = 1 << 40; t.removeLast()
    default: break
    }
    guard let v = Double(t), v.isFinite, v > 0, v * Double(scale) < 9e18 else { return nil }
    return Int(v * Double(scale))
  }

  static func availableMemory() -> Int? {
    guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
      let parts = line.split(separator: " ")
      if parts.count >= 2, let kb = Int(parts[1]) { return kb * 1024 }
    }
    return nil
  }

  /// Throws when `elements × bytesPerElement` (overflow-checked) exceeds the memory budget.
  /// `what` says which option made it big ("mec.env: users × horizon").
  public static func allocation(_ sizes: [Int], bytesPerElement: Int, what: String) throws {
    var bytes = bytesPerElement
    for s in sizes {
      guard s >= 0 else { throw LimitError("\(what): negative size \(s)") }
      let (m, o) = bytes.multipliedReportingOverflow(by: s)
      guard !o else { throw LimitError("\(what): \(sizes) overflows the address space") }
      bytes = m
    }
    try allocation(bytes: bytes, what: what)
  }

  public static func allocation(bytes: Int, what: String) throws {
    let budget = memoryBudget
    if bytes > budget {
      throw LimitError("\(what) needs about \(human(bytes)) but the memory budget is \(human(budget)) "
                       + "(available memory; set EDGELAB_MEMORY_BUDGET to change it)")
    }
  }

  public static func human(_ bytes: Int) -> String {
    let b = Double(bytes)
    if b >= Double(1 << 30) { return String(format: "%.1f GiB", b / Double(1 << 30)) }
    if b >= Double(1 << 20) { return String(format: "%.1f MiB", b / Double(1 << 20)) }
    return "\(bytes) bytes"
  }
}

/// Cooperative cancellation for long Swift loops (evaluation items, generated tokens, perplexity windows,
/// GPTQ columns, MEC slots, RL iterations, distillation steps). Domain modules do not know Lua: the Lua
/// bridge points `probe` at its Ctrl-C flag, and loops call `Cancellation.check()` (a load and a compare).
public enum Cancellation {
  /// Set by the host (the Lua bridge) to report whether a stop was requested. Nil: never cancelled.
  nonisolated(unsafe) public static var probe: (() -> Bool)?

  public static var isRequested: Bool { probe?() ?? false }

  /// Throws `Interrupted` when a stop was requested.
  @inline(__always)
  public static func check() throws {
    if let p = probe, p() { throw Interrupted() }
  }
}

/// The error a cancelled loop throws. Its text ends with "interrupted!", the Lua side's Ctrl-C marker, so a
/// run records `interrupted` (not `failed`) however the error travels.
public struct Interrupted: Error, CustomStringConvertible, LocalizedError, Equatable {
  public init() {}
  public var description: String { "interrupted!" }
  public var errorDescription: String? { description }
}
