// Reverse-mode autograd: each op output that needs a gradient holds a Node (its inputs and a backward closure
// that turns the output gradient into input-gradient contributions). `backward()` orders the graph
// topologically (iterative DFS) and runs the closures from the loss down. Non-leaf gradients are released
// as soon as they have been propagated, and the graph is freed afterwards unless `retainGraph` is set.

final class Node {
  let op: String
  let inputs: [Tensor]
  let backward: (Tensor) -> Void
  init(op: String, inputs: [Tensor], backward: @escaping (Tensor) -> Void) {
    self.op = op
    self.inputs = inputs
    self.backward = backward
  }
}

/// Grad mode (per process; TensorCore is used from one thread at a time per graph).
public enum GradMode {
  public internal(set) static var isEnabled = true
}

/// Runs `body` without recording any graph (inference, target computation, optimizer maths).
@discardableResult
public func noGrad<T>(_ body: () throws -> T) rethrows -> T {
  let prev = GradMode.isEnabled
  GradMode.isEnabled = false
  defer { GradMode.isEnabled = prev }
  return try body()
}

/// Anomaly detection: when enabled, every op checks its output for NaN/Inf and remembers the first op that
/// produced one; `checkFinite` then names it. Costs one pass over each output.
public enum Anomaly {
  public static var isEnabled = false
  public internal(set) static var firstNonFiniteOp: String?
  public static func reset() { firstNonFiniteOp = nil }
  @inline(__always) static func inspect(_ t: Tensor, _ op: String) {
    guard isEnabled, firstNonFiniteOp == nil else { return }
    let p = t.data
    for i in 0..<t.count where !p[i].isFinite { firstNonFiniteOp = op; return }
  }
}

@inline(__always) func needsGrad(_ a: Tensor) -> Bool { GradMode.isEnabled && a.requiresGrad }
@inline(__always) func needsGrad(_ a: Tensor, _ b: Tensor) -> Bool {
  GradMode.isEnabled && (a.requiresGrad || b.requiresGrad)
}
@inline(__always) func needsGrad(_ ts: [Tensor]) -> Bool {
  GradMode.isEnabled && ts.contains { $0.requiresGrad }
}

extension Tensor {
  /// Attach a backward closure to this (freshly computed) op output.
  @inline(__always) func record(_ op: String, _ inputs: [Tensor], _ backward: @escaping (Tensor) -> Void) {
    Anomaly.inspect(self, op)
    node = Node(op: op, inputs: inputs, backward: backward)
    requiresGrad = true
  }

  /// Add `g` (same count) into this tensor's gradient. `owned`: g is a fresh buffer nobody else holds.
  func accumulateGrad(_ g: Tensor, owned: Bool) {
    guard requiresGrad else { return }
    if let cur = grad {
      if gradOwned {
        let p = cur.data, q = g.data
        for i in 0..<count { p[i] += q[i] }
      } else {
        let n = Tensor(uninitialized: shape)
        let p = n.data, a = cur.data, q = g.data
        for i in 0..<count { p[i] = a[i] + q[i] }
        grad = n
        gradOwned = true
      }
    } else {
      grad = g.shape == shape ? g : Tensor(view: g.storage, offset: g.offset, shape: shape)
      gradOwned = owned
    }
  }

  /// Let `body` write (accumulate == false) or add (accumulate == true) a gradient contribution directly into
  /// this tensor's gradient buffer — avoids a temporary for BLAS (beta = 1) and scatter kernels.
  func withGradBuffer(_ body: (UnsafeMutablePointer<Float>, _ accumulate: Bool) -> Void) {
    guard requiresGrad else { return }
    if let cur = grad {
      if !gradOwned {
        let n = cur.copy()
        grad = Tensor(view: n.storage, offset: 0, shape: shape)
        gradOwned = true
      }
      body(grad!.data, true)
    } else {
      let n = Tensor(uninitialized: shape)
      body(n.data, false)
      grad = n
      gradOwned = true
    }
  }

  /// Reverse-mode sweep from this tensor. A non-scalar output needs an explicit `gradient` (same shape).
  public func backward(gradient: Tensor? = nil, retainGraph: Bool = false) {
    let seed = gradient ?? Tensor(shape: shape, repeating: 1)
    precondition(seed.count == count, "backward: gradient shape \(seed.shape) vs output \(shape)")
    guard requiresGrad else { return }
    // Topological order by iterative post-order DFS.
    var order: [Tensor] = []
    var visited = Set<ObjectIdentifier>()
    var stack: [(Tensor, Int)] = [(self, 0)]
    visited.insert(ObjectIdentifier(self))
    while let (t, i) = stack.popLast() {
      if let node = t.node, i < node.inputs.count {
        stack.append((t, i + 1))
        let c = node.inputs[i]
        if c.requiresGrad && !visited.contains(ObjectIdentifier(c)) {
          visited.insert(ObjectIdentifier(c))
          stack.append((c, 0))
        }
      } else {
        order.append(t)
      }
    }
    accumulateGrad(seed, owned: gradient == nil)
    noGrad {
      for t in order.reversed() {
        guard let node = t.node, let g = t.grad else { continue }
        node.backward(g)
        if !retainGraph {
          t.node = nil
          t.grad = nil
          t.gradOwned = false
          t.requiresGrad = false
        }
      }
    }
  }
}
