import CLua
import Foundation
import LuaBridge
import TensorCore

extension EdgeLabBinding {
  /// `edgelab.tensor`: Float32 tensors for post-processing results and small custom losses (no autograd
  /// from Lua; everything runs in Swift). Axes are 1-based (negative counts from the end: -1 = last).
  ///   tensor.new(values[, shape]) — values: flat or nested array of numbers; tensor.zeros/ones(shape),
  ///   tensor.full(shape, v), tensor.randn(shape, seed|rng[, std]), tensor.uniform(shape, seed|rng[, lo, hi]),
  ///   tensor.arange(n) → 0..n-1, tensor.concat({a, b, ...}[, axis=1]), tensor.matmul(a, b[, {trans_a, trans_b}]),
  ///   tensor.cross_entropy(logits, targets) (1-based class ids), tensor.kl_div(student, teacher[, T]),
  ///   tensor.mse(a, b), tensor.save(path, {name = t, ...}), tensor.load(path) → {name = t, ...},
  ///   tensor.threads([n]) → n — OpenBLAS threads for the whole process (sets when given; set_threads is deprecated)
  ///   t.shape, t.numel, t.rank; t:get(i, j, ...) 1-based, t:item(), t:totable() flat, t:tolist() nested,
  ///   a + b, a - b, a * b, a / b, -a (tensor or number; broadcasting as TensorCore), a:matmul(b),
  ///   t:sum([axis]), t:mean([axis]), t:max(axis), t:argmax([axis]) → 1-based ids, t:exp() :log() :sqrt()
  ///   :abs() :tanh() :relu() :sigmoid() :silu() :gelu() :softmax() :log_softmax() :clamp(lo, hi),
  ///   t:reshape(shape), t:transpose(), t:rows(i, j) (1-based inclusive).
  public static let tensor = EdgeLabBinding("tensor") { m, _ in
    let cls = tensorClass
    func push(_ call: LuaCall, _ t: Tensor) -> Int32 { call.push(t, as: cls); return 1 }
    m.function("new") { call in
      let v = try call.value(1)
      var t = try tensorFromLua(v, call: call, index: 1)
      if !call.isNoneOrNil(2) { t = try t.reshaped(try shapeArgument(call, 2)) }
      return push(call, t.detached())
    }
    m.function("zeros") { call in push(call, Tensor.zeros(try shapeArgument(call, 1))) }
    m.function("ones") { call in push(call, Tensor.ones(try shapeArgument(call, 1))) }
    m.function("full") { call in
      push(call, Tensor(shape: try shapeArgument(call, 1), repeating: Float(try call.number(2))))
    }
    m.function("arange") { call in
      let n = try call.integer(1)
      guard n >= 0 else { throw call.argumentError(1, "n must be >= 0, got \(n)") }
      _ = try checkedShape(call, 1, [n])
      return push(call, Tensor(shape: [n], (0..<n).map { Float($0) }))
    }
    m.function("randn") { call in
      var rng = try rngArgument(call, 2)
      let std = try call.optNumber(3, 1)
      return push(call, Tensor.randn(try shapeArgument(call, 1), rng: &rng, std: Float(std)))
    }
    m.function("uniform") { call in
      var rng = try rngArgument(call, 2)
      let lo = try call.optNumber(3, 0), hi = try call.optNumber(4, 1)
      return push(call, Tensor.uniform(try shapeArgument(call, 1), rng: &rng, low: Float(lo), high: Float(hi)))
    }
    m.function("concat") { call in
      guard let items = try call.table(1).arrayValue, !items.isEmpty else {
        throw call.argumentError(1, "non-empty array of tensors expected")
      }
      let ts = try items.enumerated().map { k, v -> Tensor in
        guard case .ref = v else { throw call.argumentError(1, "element \(k + 1): tensor expected, got \(v.typeName)") }
        return try tensorFromLua(v, call: call, index: 1)
      }
      let axis = try luaAxis(call, 2, rank: ts[0].rank, default: 0)
      return push(call, try concat(ts, axis: axis))
    }
    m.function("matmul") { call in
      struct O: Codable { var trans_a = false; var trans_b = false }
      let o = try call.decode(3, defaults: O())
      return push(call, try matmul(try tensorArgument(call, 1), try tensorArgument(call, 2), transA: o.trans_a, transB: o.trans_b))
    }
    m.function("cross_entropy") { call in
      let logits = try tensorArgument(call, 1)
      let targets = try call.numbers(2).map { try Limits.int($0, name: "target", min: 1, max: Int(Int32.max)) - 1 }
      return push(call, try crossEntropy(logits, targets: targets))
    }
    m.function("kl_div") { call in
      let t = try call.optNumber(3, 1)
      guard t > 0 else { throw call.argumentError(3, "temperature must be > 0, got \(t)") }
      return push(call, try klDivergence(student: try tensorArgument(call, 1), teacher: try tensorArgument(call, 2),
                                         temperature: Float(t)))
    }
    // threads([n]): sets when given (as llm.threads does), returns the count in use.
    func threads(_ call: LuaCall) throws -> Int32 {
      if !call.isNoneOrNil(1) {
        let n = try call.integer(1)
        guard n >= 1, n <= 256 else { throw call.argumentError(1, "threads must be in 1...256, got \(n)") }
        BLAS.setThreads(n)
      }
      call.push(BLAS.threads)
      return 1
    }
    m.function("threads") { call in try threads(call) }
    m.function("set_threads") { call in
      LuaKeyStyle.deprecationHandler("tensor.set_threads(n) is deprecated: use tensor.threads(n)")
      return try threads(call)
    }
    m.function("mse") { call in push(call, try mseLoss(try tensorArgument(call, 1), try tensorArgument(call, 2))) }
    m.function("save") { call in
      let path = try call.string(1)
      guard let tab = try call.table(2).tableValue else { throw call.argumentError(2, "table {name = tensor} expected") }
      let named = try tab.keys.sorted().map { k -> (String, Tensor) in (k, try tensorFromLua(tab[k]!, call: call, index: 2)) }
      try Safetensors.write(named, to: URL(fileURLWithPath: path))
      return 0
    }
    m.function("load") { call in
      let (ts, _) = try Safetensors.read(URL(fileURLWithPath: try call.string(1)))
      lua_createtable(call.L, 0, Int32(ts.count))
      for k in ts.keys.sorted() {
        call.push(ts[k]!, as: cls)
        lua_setfield(call.L, -2, k)
      }
      return 1
    }
  }
}

// MARK: argument helpers

/// A shape from a Lua array of non-negative integers (or a single integer).
func shapeArgument(_ call: LuaCall, _ i: Int32) throws -> [Int] {
  if let n = try? call.integer(i) {
    guard n >= 0 else { throw call.argumentError(i, "shape entries must be >= 0, got \(n)") }
    return try checkedShape(call, i, [n])
  }
  guard let a = try call.table(i).arrayValue else { throw call.argumentError(i, "shape (array of integers) expected") }
  let shape = try a.map {
    guard let n = $0.intValue, n >= 0 else { throw call.argumentError(i, "shape entries must be integers >= 0, got \($0)") }
    return n
  }
  return try checkedShape(call, i, shape)
}

/// A shape whose tensor fits the element limit and the memory budget (4 bytes per element).
func checkedShape(_ call: LuaCall, _ i: Int32, _ shape: [Int]) throws -> [Int] {
  do {
    try Limits.allocation([try Limits.product(shape, name: "shape")], bytesPerElement: 4, what: "tensor of shape \(shape)")
  } catch let e as LimitError { throw call.argumentError(i, e.message) }
  return shape
}

/// An RNG from a seed (integer >= 0) or an edgelab.RNG stream (which advances).
func rngArgument(_ call: LuaCall, _ i: Int32) throws -> RNG {
  if let box = EdgeLabBinding.rngClass.object(call.L, at: i) {
    return RNG(seed: box.rng.next())   // advances the Lua stream, so repeated draws differ
  }
  guard !call.isNoneOrNil(i) else { throw call.argumentError(i, "seed or edgelab.RNG expected (no global RNG)") }
  return RNG(seed: try EdgeLabBinding.seedArgument(call, i))
}

/// A 0-based axis from a 1-based Lua axis (negative counts from the end).
func luaAxis(_ call: LuaCall, _ i: Int32, rank: Int, default def: Int) throws -> Int {
  if call.isNoneOrNil(i) { return def }
  let a = try call.integer(i)
  let z = a > 0 ? a - 1 : a + rank
  guard a != 0, z >= 0, z < rank else { throw call.argumentError(i, "axis \(a) out of range for rank \(rank)") }
  return z
}

/// A tensor from a tensor userdata, a number (scalar) or a (nested) array of numbers.
func tensorArgument(_ call: LuaCall, _ i: Int32) throws -> Tensor {
  if let t = EdgeLabBinding.tensorClass.object(call.L, at: i) { return t }
  if lua_type(call.L, i) == LUA_TNUMBER { return Tensor(scalar: Float(try call.number(i))) }
  if lua_type(call.L, i) == LUA_TTABLE { return try tensorFromLua(try call.value(i), call: call, index: i) }
  throw call.typeError(i, expected: "edgelab.Tensor, number or array")
}

func tensorFromLua(_ v: LuaValue, call: LuaCall, index i: Int32) throws -> Tensor {
  switch v {
  case let .ref(r):
    r.push(call.L)
    defer { lua_settop(call.L, -2) }
    guard let t = EdgeLabBinding.tensorClass.object(call.L, at: -1) else {
      throw call.argumentError(i, "edgelab.Tensor expected, got \(r.typeName)")
    }
    return t
  case .integer, .number: return Tensor(scalar: Float(v.doubleValue!))
  case .array, .table:
    var shape: [Int] = []
    var values: [Float] = []
    func walk(_ x: LuaValue, depth: Int) throws {
      if let d = x.doubleValue {
        guard depth == shape.count else { throw call.argumentError(i, "ragged nested array (number at depth \(depth + 1))") }
        values.append(Float(d))
        return
      }
      let items: [LuaValue]
      if let a = x.arrayValue { items = a } else if x.tableValue?.isEmpty == true { items = [] } else {
        throw call.argumentError(i, "numbers or nested arrays of numbers expected, got \(x.typeName)")
      }
      if depth == shape.count { shape.append(items.count) } else if depth > shape.count || shape[depth] != items.count {
        throw call.argumentError(i, "ragged nested array (length \(items.count) at depth \(depth + 1), expected \(depth < shape.count ? shape[depth] : 0))")
      }
      for it in items { try walk(it, depth: depth + 1) }
    }
    try walk(v, depth: 0)
    guard values.count == shape.reduce(1, *) else { throw call.argumentError(i, "ragged nested array") }
    return Tensor(shape: shape, values)
  default:
    throw call.typeError(i, expected: "edgelab.Tensor, number or array")
  }
}

func luaNested(_ t: Tensor) -> LuaValue {
  let vals = t.toArray()
  func build(_ dim: Int, _ offset: Int) -> LuaValue {
    if dim == t.rank { return .number(Double(vals[offset])) }
    let stride = t.shape[(dim + 1)...].reduce(1, *)
    return .array((0..<t.shape[dim]).map { build(dim + 1, offset + $0 * stride) })
  }
  return t.rank == 0 ? .number(Double(vals[0])) : build(0, 0)
}

extension EdgeLabBinding {
  public static let tensorClass: LuaClass<Tensor> = {
    let c = LuaClass<Tensor>("edgelab.Tensor")
    func ret(_ call: LuaCall, _ t: Tensor) -> Int32 { call.push(t, as: c); return 1 }
    func binary(_ name: String, _ f: @escaping (Tensor, Tensor) throws -> Tensor) {
      c.metamethod(name) { call, _ in ret(call, try noGrad { try f(try tensorArgument(call, 1), try tensorArgument(call, 2)) }) }
    }
    binary("__add", { try $0 + $1 })
    binary("__sub", { try $0 - $1 })
    binary("__mul", { try $0 * $1 })
    binary("__div", { try $0 / $1 })
    c.metamethod("__unm") { call, t in ret(call, noGrad { -t }) }
    c.metamethod("__len") { call, t in call.push(t.shape.first ?? 1); return 1 }
    c.tostring { t in
      let vals = t.toArray().prefix(8).map { LuaValue.formatNumber(Double($0)) }.joined(separator: ", ")
      return "Tensor(\(t.shape), [\(vals)\(t.count > 8 ? ", …" : "")])"
    }
    c.property("shape") { t in .array(t.shape.map { .integer($0) }) }
    c.property("numel") { t in .integer(t.count) }
    c.property("rank") { t in .integer(t.rank) }
    c.method("item") { call, t in
      guard t.count == 1 else { throw call.argumentError(1, "item() needs a one-element tensor, got shape \(t.shape)") }
      call.push(Double(t.item)); return 1
    }
    c.method("get") { call, t in
      let idx = try (2..<(call.count + 1)).map { try call.integer(Int32($0)) - 1 }
      guard idx.count == t.rank else { throw call.argumentError(2, "get needs \(t.rank) indices for shape \(t.shape), got \(idx.count)") }
      var flat = 0
      for (k, (i, d)) in zip(idx, t.shape).enumerated() {
        guard i >= 0 && i < d else { throw call.argumentError(Int32(k + 2), "index \(i + 1) out of range 1..\(d)") }
        flat = flat * d + i
      }
      call.push(Double(t.data[flat])); return 1
    }
    c.method("totable") { call, t in call.push(.array(t.toArray().map { .number(Double($0)) })); return 1 }
    c.method("tolist") { call, t in call.push(luaNested(t)); return 1 }
    c.method("matmul") { call, t in ret(call, try noGrad { try matmul(t, try tensorArgument(call, 2)) }) }
    c.method("sum") { call, t in
      ret(call, try noGrad { call.isNoneOrNil(2) ? t.sum() : try t.sum(axis: try luaAxis(call, 2, rank: t.rank, default: 0)) })
    }
    c.method("mean") { call, t in
      ret(call, try noGrad { call.isNoneOrNil(2) ? t.mean() : try t.mean(axis: try luaAxis(call, 2, rank: t.rank, default: 0)) })
    }
    c.method("max") { call, t in
      ret(call, try noGrad { try t.max(axis: try luaAxis(call, 2, rank: t.rank, default: t.rank - 1)) })
    }
    c.method("argmax") { call, t in
      let ids = try t.argmax(axis: try luaAxis(call, 2, rank: t.rank, default: t.rank - 1))
      call.push(.array(ids.map { .integer($0 + 1) })); return 1
    }
    let unaries: [(String, (Tensor) -> Tensor)] = [
      ("exp", { $0.exp() }), ("log", { $0.log() }), ("sqrt", { $0.sqrt() }), ("abs", { $0.abs() }),
      ("tanh", { $0.tanh() }), ("relu", { $0.relu() }), ("sigmoid", { $0.sigmoid() }), ("silu", { $0.silu() }),
      ("gelu", { $0.gelu() }), ("softmax", { $0.softmax() }), ("log_softmax", { $0.logSoftmax() }),
      ("square", { $0.square() }),
    ]
    for (name, f) in unaries { c.method(name) { call, t in ret(call, noGrad { f(t) }) } }
    c.method("clamp") { call, t in
      let lo = try call.number(2), hi = try call.number(3)
      guard lo <= hi else { throw call.argumentError(3, "clamp needs lo <= hi, got \(lo) > \(hi)") }
      return ret(call, noGrad { t.clamped(min: Float(lo), max: Float(hi)) })
    }
    c.method("reshape") { call, t in ret(call, try t.reshaped(try shapeArgument(call, 2)).detached()) }
    c.method("transpose") { call, t in ret(call, try noGrad { try t.transposed() }) }
    c.method("rows") { call, t in
      let i = try call.integer(2), j = try call.optInteger(3, i)
      guard t.rank >= 1, i >= 1, j >= i - 1, j <= t.shape[0] else {
        throw call.argumentError(2, "rows \(i)..\(j) out of range for shape \(t.shape)")
      }
      return ret(call, try t.rows((i - 1)..<j).detached())
    }
    return c
  }()
}
