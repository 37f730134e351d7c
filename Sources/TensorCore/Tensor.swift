// TensorCore — Float32 tensors, OpenBLAS matmul, reverse-mode autograd, layers, optimizers.
//
// Quick API guide (for the other modules):
//
//   let x = Tensor(shape: [2, 3], [1, 2, 3, 4, 5, 6])       // contiguous row-major Float32 (Tensor.make throws)
//   let w = Tensor.randn([4, 3], rng: &rng, std: 0.1, requiresGrad: true)   // or Init.orthogonal(gain:).tensor(...)
//   let y = try linear(x, w, bias: b)                         // x·wᵀ + b   (w is [out, in], as in PyTorch/GGUF)
//   let z = try matmul(a, b, transA: false, transB: true)     // cblas_sgemm; a may be [..., K]
//   let s = try bmm(a3, b3, transB: true)                     // batched [B,M,K]×[B,K,N]
//   try a + b, a - b, a * b, a / b, Tensor.maximum/minimum    // broadcasting: same shape, scalar, trailing
//                                                             // suffix ([N] on [B,N]) or per-row ([B,1] on [B,N])
//   x.tanh(), .relu(), .sigmoid(), .silu(), .gelu(.exact/.tanh), .exp(), .log(), .square(), .sqrt(), .abs(),
//   .pow(p), .clamped(min:max:), x * 2, x + 1, 1 - x, -x
//   x.sum(), x.mean(), try x.sum(axis:keepDim:), .mean(axis:), .max(axis:), x.argmax(axis:) -> [Int]
//   x.logSoftmax(), x.softmax()                              // over the last axis
//   try crossEntropy(logits, targets: [Int], ignoreIndex:), try klDivergence(student:, teacher:, temperature:),
//   try mseLoss(a, b), try x.gatherLast([Int])                // one entry per row (log-prob of an action)
//   try rmsNorm(x, weight:, eps:), try layerNorm(x, weight:, bias:, eps:)
//   try embedding(table, ids: [Int]), try rope(x, heads:, positions:, theta:, style: .adjacentPairs/.halfSplit)
//   try causalAttention(q:, k:, v:, batch:, heads:, kvHeads:, causal:)   // GQA, rows = B·T, heads packed in last dim
//   try concat([a, b], axis:), try x.narrow(axis:, start:, length:), try x.split(lastAxis: [..]),
//   try x.rows(r0..<r1) (view), try x.reshaped([.., -1]) (view), try x.transposed(), x.detached(), x.copy()
//   loss.backward()   → leaves with requiresGrad get `.grad` (accumulates; call zeroGrad / optimizer.zeroGrad)
//   noGrad { ... }    → no graph is recorded inside (inference, targets). Grad mode is process-global:
//                       build one graph at a time per process (no concurrent graph building on threads).
//   try loss.checkFinite(op: "ppo.loss", step: step)  → throws TensorError.nonFinite naming op and step;
//   Anomaly.isEnabled = true additionally names the first op whose output went NaN/Inf.
//   Layers (Module, named params): Linear, Embedding, RMSNormLayer, LayerNormLayer, MLP, GRUCell (+GRUFunctional).
//   ParameterStore: named params (dotted paths), freeze(prefix)/unfreeze, save/load safetensors (F32; reads F16/BF16).
//   Optimizers: SGD(momentum, nesterov), Adam (L2) / Adam.adamW (decoupled), clipGradNorm, LRSchedule
//   (.constant/.linear/.cosine/.warmup); optimizer.stateTensors()/loadState() for exact resume.
//   BLAS.setThreads(n) — OpenBLAS threads (default: online processors or EDGELAB_BLAS_THREADS); BLAS.sgemm raw.
//   FastMath.exp/tanh/sigmoid — vectorisable kernels (@inlinable) used by the ops above.
//
// Design: a `Tensor` is a reference type holding a shared `TensorStorage` (raw Float buffer) plus an offset and
// a shape; it is always contiguous. Reshape and row slices are views (shared storage). Ops are never in
// place, except optimizer updates of parameters. Each op that sees an input with `requiresGrad` (while grad
// mode is on) records a `Node` with a backward closure; `backward()` walks the graph in reverse topological
// order. Kernels are loops over raw pointers (vectorised by the compiler) or BLAS calls.

/// Raw Float32 buffer shared by tensors that view it.
public final class TensorStorage {
  public let pointer: UnsafeMutablePointer<Float>
  public let capacity: Int
  init(capacity: Int) {
    self.capacity = capacity
    pointer = StoragePool.take(capacity)
  }
  deinit { StoragePool.give(pointer, capacity: capacity) }
}

public enum TensorError: Error, CustomStringConvertible, Equatable {
  case shapeMismatch(op: String, lhs: [Int], rhs: [Int], detail: String)
  case invalidArgument(op: String, message: String)
  case indexOutOfRange(op: String, index: Int, bound: Int)
  case nonFinite(op: String, step: Int?, detail: String)
  case io(String)

  public var description: String {
    switch self {
    case let .shapeMismatch(op, l, r, d):
      return "\(op): shape mismatch \(l) vs \(r)" + (d.isEmpty ? "" : " (\(d))")
    case let .invalidArgument(op, m): return "\(op): \(m)"
    case let .indexOutOfRange(op, i, b): return "\(op): index \(i) out of range 0..<\(b)"
    case let .nonFinite(op, step, d):
      return "non-finite value (NaN/Inf) in \(op)" + (step.map { " at step \($0)" } ?? "") + (d.isEmpty ? "" : ": \(d)")
    case let .io(m): return "safetensors: \(m)"
    }
  }
}

@inline(__always) func shapeCount(_ s: [Int]) -> Int {
  var n = 1
  for d in s { n *= d }
  return n
}

public final class Tensor {
  public let shape: [Int]
  public let count: Int
  public let storage: TensorStorage
  public let offset: Int
  /// Leaves: set to true for parameters. Non-leaves: true when the value depends on a tensor that requires grad.
  public var requiresGrad: Bool
  /// Accumulated gradient (same shape), filled by `backward()`.
  public var grad: Tensor?
  /// True when `grad`'s storage belongs to this tensor alone (so it can be accumulated into in place).
  var gradOwned = false
  var node: Node?
  /// Optional label (parameter name) used in error messages.
  public var label: String?

  /// Uninitialised tensor (contents undefined): for kernels that overwrite every element.
  public init(uninitialized shape: [Int]) {
    self.shape = shape
    count = shapeCount(shape)
    storage = TensorStorage(capacity: count)
    offset = 0
    requiresGrad = false
  }

  init(view storage: TensorStorage, offset: Int, shape: [Int]) {
    self.shape = shape
    count = shapeCount(shape)
    self.storage = storage
    self.offset = offset
    requiresGrad = false
  }

  public convenience init(zeros shape: [Int], requiresGrad: Bool = false) {
    self.init(uninitialized: shape)
    data.initialize(repeating: 0, count: count)
    self.requiresGrad = requiresGrad
  }

  public convenience init(shape: [Int], repeating v: Float, requiresGrad: Bool = false) {
    self.init(uninitialized: shape)
    data.initialize(repeating: v, count: count)
    self.requiresGrad = requiresGrad
  }

  /// Tensor from values; traps only on programmer error (count mismatch) — use `make` for a throwing variant.
  public convenience init(shape: [Int], _ values: [Float], requiresGrad: Bool = false) {
    precondition(values.count == shapeCount(shape), "Tensor(shape:\(shape)) given \(values.count) values")
    self.init(uninitialized: shape)
    values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: count) }
    self.requiresGrad = requiresGrad
  }

  public static func make(shape: [Int], _ values: [Float], requiresGrad: Bool = false) throws -> Tensor {
    guard values.count == shapeCount(shape), shape.allSatisfy({ $0 >= 0 }) else {
      throw TensorError.shapeMismatch(op: "Tensor.make", lhs: shape, rhs: [values.count],
                                      detail: "shape needs \(shapeCount(shape)) values")
    }
    return Tensor(shape: shape, values, requiresGrad: requiresGrad)
  }

  public convenience init(scalar v: Float, requiresGrad: Bool = false) {
    self.init(shape: [], [v], requiresGrad: requiresGrad)
  }

  public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
    Tensor(zeros: shape, requiresGrad: requiresGrad)
  }
  public static func ones(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
    Tensor(shape: shape, repeating: 1, requiresGrad: requiresGrad)
  }
  public static func randn(_ shape: [Int], rng: inout RNG, mean: Float = 0, std: Float = 1,
                           requiresGrad: Bool = false) -> Tensor {
    let t = Tensor(uninitialized: shape)
    let p = t.data
    for i in 0..<t.count { p[i] = mean + std * Float(rng.normal()) }
    t.requiresGrad = requiresGrad
    return t
  }
  public static func uniform(_ shape: [Int], rng: inout RNG, low: Float = 0, high: Float = 1,
                             requiresGrad: Bool = false) -> Tensor {
    let t = Tensor(uninitialized: shape)
    let p = t.data
    for i in 0..<t.count { p[i] = low + (high - low) * Float(rng.uniform()) }
    t.requiresGrad = requiresGrad
    return t
  }

  /// Pointer to the first element (contiguous, `count` elements).
  @inline(__always) public var data: UnsafeMutablePointer<Float> { storage.pointer + offset }
  public var rank: Int { shape.count }
  public var isLeaf: Bool { node == nil }
  /// Size of the last axis (1 for a scalar).
  public var lastDim: Int { shape.last ?? 1 }
  /// Number of rows when viewed as [count / lastDim, lastDim].
  public var rowCount: Int { lastDim == 0 ? 0 : count / lastDim }

  public func toArray() -> [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }
  public var item: Float { data[0] }
  public subscript(_ idx: Int...) -> Float {
    get { data[flatIndex(idx)] }
    set { data[flatIndex(idx)] = newValue }
  }
  func flatIndex(_ idx: [Int]) -> Int {
    precondition(idx.count == shape.count, "index rank \(idx.count) vs tensor rank \(shape.count)")
    var f = 0
    for (i, d) in zip(idx, shape) { precondition(i >= 0 && i < d, "index \(idx) out of range for \(shape)"); f = f * d + i }
    return f
  }

  /// A fresh copy (not connected to the graph).
  public func copy() -> Tensor {
    let t = Tensor(uninitialized: shape)
    t.data.update(from: data, count: count)
    return t
  }
  /// A view of the same data, cut from the graph (like PyTorch's `detach`).
  public func detached() -> Tensor { Tensor(view: storage, offset: offset, shape: shape) }

  /// Overwrite the values (shapes must have equal counts). Not recorded by autograd.
  public func assign(_ other: Tensor) throws {
    guard other.count == count else {
      throw TensorError.shapeMismatch(op: "assign", lhs: shape, rhs: other.shape, detail: "")
    }
    data.update(from: other.data, count: count)
  }
  public func fill(_ v: Float) { data.update(repeating: v, count: count) }
  public func zeroGrad() { grad = nil; gradOwned = false }

  /// Throws `.nonFinite` if any element is NaN or ±Inf.
  public func checkFinite(op: String, step: Int? = nil) throws {
    let p = data
    for i in 0..<count where !p[i].isFinite {
      var detail = "element \(i) of shape \(shape) is \(p[i])"
      if let first = Anomaly.firstNonFiniteOp { detail += "; first non-finite output came from op '\(first)'" }
      throw TensorError.nonFinite(op: op, step: step, detail: detail)
    }
  }
}

extension Tensor: CustomStringConvertible {
  public var description: String {
    let vals = count <= 16 ? "\(toArray())" : "\(Array(toArray().prefix(8)))…"
    return "Tensor(\(shape), \(vals)\(requiresGrad ? ", grad" : ""))"
  }
}
