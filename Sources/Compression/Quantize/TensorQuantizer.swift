// One entry point for quantizing a named weight tensor: pick the type with PrecisionRules, then RTN or GPTQ.
// GPTQ needs the layer input's prepared factor (GPTQFactor); without one, or for float targets (F32/F16/BF16),
// the tensor is rounded to nearest. Model-agnostic: Float buffers + shapes in, ggml blocks out.
import Foundation
import LLM

public enum QuantMethod: Codable, Sendable, Equatable {
  case rtn
  case gptq(GPTQConfig)

  public var name: String {
    switch self { case .rtn: return "rtn"; case .gptq(let c): return c.actOrder ? "gptq-actorder" : "gptq" }
  }
}

public struct QuantizedTensor: Sendable {
  public let name: String
  public let matrix: QuantizedMatrix
  /// The type the rules asked for; `matrix.type` is what was written (they differ after a row-length fallback).
  public let requested: GGMLType
  /// "rtn" or "gptq"/"gptq-actorder" — what was actually applied.
  public let method: String
  /// GPTQ's running loss (nil for RTN).
  public let gptqLoss: Double?
}

public enum TensorQuantizer {
  /// Quantize W (rows × cols, row-major [out][in]) named `name` under `rules`.
  public static func quantize(name: String, _ W: [Float], rows: Int, cols: Int, rules: PrecisionRules,
                              method: QuantMethod, factor: GPTQFactor? = nil, threads: Int? = nil) throws -> QuantizedTensor {
    let type = rules.type(for: name, cols: cols)
    if case .gptq(var cfg) = method, let f = factor, GGMLBlockLevels.supports(type) {
      if cfg.threads == nil { cfg.threads = threads }
      let r = try GPTQ.quantize(W, rows: rows, cols: cols, type: type, factor: f, config: cfg)
      return QuantizedTensor(name: name, matrix: r.matrix, requested: rules.requestedType(for: name), method: method.name,
                             gptqLoss: r.loss)
    }
    let m = try RTN.quantize(W, rows: rows, cols: cols, type: type, threads: threads)
    return QuantizedTensor(name: name, matrix: m, requested: rules.requestedType(for: name), method: "rtn", gptqLoss: nil)
  }
}

extension QuantReport {
  public mutating func add(_ t: QuantizedTensor) {
    add(name: t.name, type: t.matrix.type, requested: t.requested, method: t.method, rows: t.matrix.rows, cols: t.matrix.cols)
  }
}
