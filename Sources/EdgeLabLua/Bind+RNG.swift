import LuaBridge
import TensorCore

/// A seeded xoshiro256** stream held by Lua (RNG is a value type; the box gives it identity).
public final class RNGBox {
  public var rng: RNG
  public init(_ rng: RNG) { self.rng = rng }
}

extension EdgeLabBinding {
  /// `edgelab.rng`: seeded, splittable random streams (no global RNG).
  ///   rng.new(seed) / rng.root() → stream;  s:split("env") → independent named stream;
  ///   s:uniform([lo, hi]), s:normal([mean, std]), s:integer(lo, hi), s:bernoulli(p), s:poisson(mean),
  ///   s:categorical(weights) → 1-based index, s:permutation(n) → 1-based array; s.seed.
  public static let rng = EdgeLabBinding("rng") { m, session in
    m.function("new") { call in
      call.push(RNGBox(RNG(seed: try seedArgument(call, 1))), as: rngClass)
      return 1
    }
    m.function("root") { call in
      call.push(RNGBox(RNG(seed: session.seed)), as: rngClass)
      return 1
    }
  }

  static func seedArgument(_ call: LuaCall, _ i: Int32) throws -> UInt64 {
    let n = try call.integer(i)
    guard n >= 0 else { throw call.argumentError(i, "seed must be >= 0, got \(n)") }
    return UInt64(n)
  }

  public static let rngClass: LuaClass<RNGBox> = LuaClass<RNGBox>("edgelab.RNG")
    .method("split") { call, b in
      let child: RNG
      if lua_isinteger_(call, 2) { child = b.rng.split(try call.integer(2)) } else { child = b.rng.split(try call.string(2)) }
      call.push(RNGBox(child), as: rngClass)
      return 1
    }
    .method("uniform") { call, b in
      let lo = try call.optNumber(2, 0), hi = try call.optNumber(3, 1)
      guard lo.isFinite, hi.isFinite, lo <= hi, (hi - lo).isFinite else {
        throw call.argumentError(2, "uniform(lo, hi) needs finite lo <= hi, got \(lo), \(hi)")
      }
      call.push(b.rng.uniform(lo, hi))
      return 1
    }
    .method("normal") { call, b in
      let mean = try call.optNumber(2, 0), std = try call.optNumber(3, 1)
      guard std >= 0, std.isFinite, mean.isFinite else { throw call.argumentError(3, "mean and std must be finite, std >= 0") }
      call.push(b.rng.normal(mean: mean, std: std))
      return 1
    }
    .method("integer") { call, b in
      let lo = try call.integer(2), hi = try call.integer(3)
      guard hi >= lo else { throw call.argumentError(3, "empty interval [\(lo), \(hi)]") }
      let (width, o) = hi.subtractingReportingOverflow(lo)
      guard !o, width < Int.max else { throw call.argumentError(3, "interval [\(lo), \(hi)] is too wide (more than 2^63 - 1 values)") }
      call.push(lo + b.rng.int(below: width + 1))
      return 1
    }
    .method("bernoulli") { call, b in
      let p = try call.number(2)
      guard p >= 0 && p <= 1 else { throw call.argumentError(2, "probability must be in [0, 1], got \(p)") }
      call.push(b.rng.bernoulli(p))
      return 1
    }
    .method("poisson") { call, b in
      let mean = try call.number(2)
      guard mean >= 0 && mean.isFinite else { throw call.argumentError(2, "mean must be finite and >= 0") }
      call.push(b.rng.poisson(mean))
      return 1
    }
    .method("categorical") { call, b in
      let w = try call.numbers(2)
      guard !w.isEmpty, w.allSatisfy({ $0 >= 0 && $0.isFinite }), w.reduce(0, +) > 0 else {
        throw call.argumentError(2, "weights must be non-negative, finite and not all zero")
      }
      call.push(b.rng.categorical(w) + 1)
      return 1
    }
    .method("permutation") { call, b in
      let n = try call.integer(2)
      guard n >= 0 else { throw call.argumentError(2, "n must be >= 0") }
      // A Lua array costs ~16 bytes a slot plus the Swift copies on the way: 64 bytes per element.
      do { try Limits.allocation([n], bytesPerElement: 64, what: "rng:permutation(\(n))") } catch let e as LimitError {
        throw call.argumentError(2, e.message)
      }
      call.push(.array(b.rng.permutation(n).map { .integer($0 + 1) }))
      return 1
    }
    .property("seed") { b in b.rng.seed <= UInt64(Int.max) ? .integer(Int(b.rng.seed)) : .number(Double(b.rng.seed)) }
    .tostring { b in "edgelab.RNG(seed=\(b.rng.seed))" }
}

private func lua_isinteger_(_ call: LuaCall, _ i: Int32) -> Bool {
  if case .integer = (try? call.value(i)) ?? .nil { return true }
  return false
}
