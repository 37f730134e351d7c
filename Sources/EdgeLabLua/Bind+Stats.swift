import LuaBridge
import Statistics

/// `edgelab.stats`: the Statistics module from Lua (one implementation for Swift and Lua).
///   stats.sum/mean/var/std/median/iqm(xs) → number;  stats.sorted(xs) → array;  stats.quantile(xs, q) → number
///   stats.t975(df) → the 97.5% Student-t quantile;  stats.ci95(xs) → mean, lo, hi (Student t)
///   stats.bootstrap_ci(xs, {stat = "mean"|"median"|"iqm"|function, resamples = 2000, level = 0.95, seed = 0})
///       → estimate, lo, hi
///   stats.stratified_bootstrap_ci({xs1, xs2, …}, {stat = "iqm", resamples, level, seed}) → estimate, lo, hi
///   stats.paired_ratio_ci(a, b, {resamples = 2000, level = 0.95, seed = 0}) → ratio, lo, hi   (mean(a)/mean(b),
///       a[i] and b[i] measured on the same unit; the bootstrap resamples units)
///   stats.permutation_test(a, b, {stat = "mean", permutations = 10000, seed = 0}) → difference, p
///   stats.summary(xs) → { n, mean, std, lo, hi, median, iqm, min, max }
/// Empty lists are errors (their statistics are undefined), never a silent NaN.
extension EdgeLabBinding {
  public static let stats = EdgeLabBinding("stats") { m, _ in
    func unary(_ name: String, minCount: Int = 1, _ f: @escaping ([Double]) -> Double) {
      m.function(name) { call in
        call.push(f(try StatsBinding.numbers(call, 1, name, minCount: minCount)))
        return 1
      }
    }
    unary("sum", minCount: 0) { $0.reduce(0, +) }
    unary("mean") { Stats.mean($0) }
    unary("var", minCount: 2) { let s = Stats.std($0); return s * s }
    unary("std", minCount: 2) { Stats.std($0) }
    unary("median") { Stats.quantile(sorted: $0.sorted(), 0.5) }
    unary("iqm") { Stats.iqm($0) }
    m.function("sorted") { call in
      call.push(.array(try StatsBinding.numbers(call, 1, "sorted", minCount: 0).sorted().map { .number($0) }))
      return 1
    }
    m.function("quantile") { call in
      let xs = try StatsBinding.numbers(call, 1, "quantile")
      let q = try call.number(2)
      guard (0...1).contains(q) else { throw call.argumentError(2, "q must be in [0, 1], got \(q)") }
      call.push(Stats.quantile(sorted: xs.sorted(), q))
      return 1
    }
    m.function("t975") { call in
      let df = try call.number(1)
      guard df > 0, df.isFinite else { throw call.argumentError(1, "df must be a positive number, got \(df)") }
      call.push(Stats.tQuantile(0.975, df: df))
      return 1
    }
    m.function("ci95") { call in
      let ci = Stats.ci95(try StatsBinding.numbers(call, 1, "ci95"))
      call.push(ci.mean); call.push(ci.low); call.push(ci.high)
      return 3
    }
    m.function("summary") { call in
      let xs = try StatsBinding.numbers(call, 1, "summary")
      let ci = Stats.ci95(xs), s = xs.sorted()
      call.push(.table(["n": .integer(xs.count), "mean": .number(ci.mean), "std": .number(xs.count > 1 ? Stats.std(xs) : 0),
                        "lo": .number(ci.low), "hi": .number(ci.high), "median": .number(Stats.quantile(sorted: s, 0.5)),
                        "iqm": .number(Stats.iqm(xs)), "min": .number(s[0]), "max": .number(s[s.count - 1])]))
      return 1
    }
    m.function("bootstrap_ci") { call in try StatsBinding.bootstrap(call) }
    m.function("stratified_bootstrap_ci") { call in try StatsBinding.stratified(call) }
    m.function("permutation_test") { call in try StatsBinding.permutation(call) }
    m.function("paired_ratio_ci") { call in try StatsBinding.pairedRatio(call) }
  }
}

enum StatsBinding {
  struct BootstrapOptions: Codable { var stat: LuaValue = .string("mean"); var resamples = 2000; var level = 0.95; var seed = 0 }
  struct StratifiedOptions: Codable { var stat: LuaValue = .string("iqm"); var resamples = 2000; var level = 0.95; var seed = 0 }
  struct PairedRatioOptions: Codable { var resamples = 2000; var level = 0.95; var seed = 0 }
  struct PermutationOptions: Codable { var stat: LuaValue = .string("mean"); var permutations = 10_000; var seed = 0 }

  static func numbers(_ call: LuaCall, _ i: Int32, _ fname: String, minCount: Int = 1) throws -> [Double] {
    let v = try call.value(i)
    guard let a = v.arrayValue ?? (v == .table([:]) ? [] : nil) else {
      throw call.argumentError(i, "stats.\(fname): list of numbers expected")
    }
    let xs = try a.enumerated().map { k, v -> Double in
      guard let d = v.doubleValue else { throw call.argumentError(i, "stats.\(fname): element \(k + 1) is a \(v.kindName), not a number") }
      return d
    }
    guard xs.count >= minCount else {
      throw call.argumentError(i, "stats.\(fname): needs at least \(minCount) value\(minCount == 1 ? "" : "s"), got \(xs.count)")
    }
    return xs
  }

  /// A statistic by name or a Lua function(xs) → number. Errors raised by the function surface after the loop.
  static func statistic(_ v: LuaValue, _ call: LuaCall, _ arg: Int32, failure: ErrorBox) throws -> ([Double]) -> Double {
    switch v {
    case .string("mean"): return Stats.mean
    case .string("median"): return { Stats.quantile(sorted: $0.sorted(), 0.5) }
    case .string("iqm"): return Stats.iqm
    case .string(let s): throw call.argumentError(arg, "unknown stat '\(s)' (mean, median, iqm, or a function)")
    case .ref(let r) where r.typeName == "function":
      let fn = LuaFunction(ref: r)
      return { xs in
        guard failure.error == nil else { return .nan }
        do {
          guard let d = try fn.call([.array(xs.map { .number($0) })]).first?.doubleValue else {
            failure.error = LuaBridgeError.message("stat function must return a number"); return .nan
          }
          return d
        } catch { failure.error = error; return .nan }
      }
    default: throw call.argumentError(arg, "option 'stat' must be mean, median, iqm or a function, got \(v.kindName)")
    }
  }

  final class ErrorBox { var error: Error? }

  static func seed(_ s: Int, _ call: LuaCall, _ arg: Int32) throws -> UInt64 {
    guard s >= 0 else { throw call.argumentError(arg, "option 'seed' must be >= 0, got \(s)") }
    return UInt64(s)
  }

  static func bootstrap(_ call: LuaCall) throws -> Int32 {
    let xs = try numbers(call, 1, "bootstrap_ci", minCount: 0)
    let o = try call.decode(2, defaults: BootstrapOptions())
    let failure = ErrorBox()
    let f = try statistic(o.stat, call, 2, failure: failure)
    guard !xs.isEmpty else { throw call.argumentError(1, "stats.bootstrap_ci: needs at least 1 value, got 0") }
    let ci = Stats.bootstrapCI(xs, resamples: max(o.resamples, 0), level: o.level, seed: try seed(o.seed, call, 2),
                               stream: "bootstrap", statistic: f)
    if let e = failure.error { throw e }
    call.push(ci.mean); call.push(ci.low); call.push(ci.high)
    return 3
  }

  static func pairedRatio(_ call: LuaCall) throws -> Int32 {
    let a = try numbers(call, 1, "paired_ratio_ci"), b = try numbers(call, 2, "paired_ratio_ci")
    guard a.count == b.count else {
      throw call.argumentError(2, "stats.paired_ratio_ci: \(a.count) vs \(b.count) values (both lists must be measured on the same units)")
    }
    let o = try call.decode(3, defaults: PairedRatioOptions())
    let ci = try Stats.pairedRatioBootstrapCI(a, b, resamples: max(o.resamples, 0), level: o.level, seed: try seed(o.seed, call, 3))
    call.push(ci.mean); call.push(ci.low); call.push(ci.high)
    return 3
  }

  static func stratified(_ call: LuaCall) throws -> Int32 {
    guard let groups = try call.value(1).arrayValue else { throw call.argumentError(1, "list of lists of numbers expected") }
    let strata = try groups.enumerated().map { k, g -> [Double] in
      guard let a = g.arrayValue ?? (g == .table([:]) ? [] : nil) else { throw call.argumentError(1, "stratum \(k + 1) is not a list") }
      return try a.map { v in
        guard let d = v.doubleValue else { throw call.argumentError(1, "stratum \(k + 1): \(v.kindName) is not a number") }
        return d
      }
    }
    let o = try call.decode(2, defaults: StratifiedOptions())
    let failure = ErrorBox()
    let f = try statistic(o.stat, call, 2, failure: failure)
    let ci = try Stats.stratifiedBootstrapCI(strata, resamples: max(o.resamples, 0), level: o.level,
                                             seed: try seed(o.seed, call, 2), statistic: f)
    if let e = failure.error { throw e }
    call.push(ci.mean); call.push(ci.low); call.push(ci.high)
    return 3
  }

  static func permutation(_ call: LuaCall) throws -> Int32 {
    let a = try numbers(call, 1, "permutation_test"), b = try numbers(call, 2, "permutation_test")
    let o = try call.decode(3, defaults: PermutationOptions())
    let failure = ErrorBox()
    let f = try statistic(o.stat, call, 3, failure: failure)
    let r = try Stats.permutationTest(a, b, permutations: max(o.permutations, 0), seed: try seed(o.seed, call, 3), statistic: f)
    if let e = failure.error { throw e }
    call.push(r.difference); call.push(r.p)
    return 2
  }
}
