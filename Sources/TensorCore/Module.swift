// Modules own named parameters (dotted paths, e.g. "encoder.layers.0.weight"); composites prefix their
// children's names. A ParameterStore flattens a module tree (or hand-registered tensors) into an ordered
// name → tensor table used for optimizers, freezing, and safetensors save/load.

public protocol Module: AnyObject {
  /// Parameters with names relative to this module, in a stable order.
  func namedParameters() -> [(String, Tensor)]
}

extension Module {
  public func parameters() -> [Tensor] { namedParameters().map { $0.1 } }
  public func zeroGrad() { for p in parameters() { p.zeroGrad() } }
  public var parameterCount: Int { parameters().reduce(0) { $0 + $1.count } }
}

/// Prefix child parameter names: ("fc", [("weight", w)]) → [("fc.weight", w)].
public func prefixed(_ prefix: String, _ params: [(String, Tensor)]) -> [(String, Tensor)] {
  params.map { (prefix.isEmpty ? $0.0 : prefix + "." + $0.0, $0.1) }
}

public final class ParameterStore: Module {
  public private(set) var names: [String] = []
  private var table: [String: Tensor] = [:]

  public init() {}
  /// A store holding `module`'s parameters under `prefix`.
  public init(_ module: Module, prefix: String = "") throws { try add(module, prefix: prefix) }

  public func add(_ name: String, _ t: Tensor) throws {
    guard !name.isEmpty else { throw TensorError.invalidArgument(op: "ParameterStore.add", message: "empty name") }
    guard table[name] == nil else {
      throw TensorError.invalidArgument(op: "ParameterStore.add", message: "duplicate parameter name '\(name)'")
    }
    names.append(name)
    table[name] = t
    if t.label == nil { t.label = name }
  }
  public func add(_ module: Module, prefix: String = "") throws {
    for (n, t) in prefixed(prefix, module.namedParameters()) { try add(n, t) }
  }

  public subscript(_ name: String) -> Tensor? { table[name] }
  public func get(_ name: String) throws -> Tensor {
    guard let t = table[name] else {
      throw TensorError.invalidArgument(op: "ParameterStore", message: "no parameter named '\(name)'")
    }
    return t
  }
  public func namedParameters() -> [(String, Tensor)] { names.map { ($0, table[$0]!) } }
  /// Parameters that currently require gradients (not frozen).
  public var trainable: [Tensor] { names.compactMap { table[$0]!.requiresGrad ? table[$0]! : nil } }

  /// Names matching `prefix` exactly or as a dotted prefix ("enc" matches "enc.w" but not "encoder.w").
  public func matching(_ prefix: String) -> [String] {
    names.filter { $0 == prefix || $0.hasPrefix(prefix + ".") || prefix.isEmpty }
  }
  /// Freeze (no gradient) every parameter under `prefix`; returns how many were frozen. Throws if none match.
  @discardableResult
  public func freeze(_ prefix: String, _ frozen: Bool = true) throws -> Int {
    let m = matching(prefix)
    guard !m.isEmpty else {
      throw TensorError.invalidArgument(op: "ParameterStore.freeze", message: "no parameter under '\(prefix)'")
    }
    for n in m { table[n]!.requiresGrad = !frozen; if frozen { table[n]!.zeroGrad() } }
    return m.count
  }
  public func unfreeze(_ prefix: String) throws { try freeze(prefix, false) }

  /// Copy values from another store by name (shapes must match). Missing names throw unless `strict` is false.
  public func load(from other: [String: Tensor], strict: Bool = true) throws {
    for n in names {
      guard let src = other[n] else {
        if strict { throw TensorError.io("missing tensor '\(n)'") }
        continue
      }
      let dst = table[n]!
      guard src.shape == dst.shape else {
        throw TensorError.shapeMismatch(op: "load '\(n)'", lhs: dst.shape, rhs: src.shape, detail: "")
      }
      try dst.assign(src)
    }
  }
}
