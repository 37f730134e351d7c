// Module Compression (ECLD): calibration statistics, structured pruning, quantization (Quantize/, owned by
// the quant helper), distillation and least-squares refit, and the pipeline composing them.
// Every stage is a function LlamaModel → new LlamaModel. See ../shared/DESIGN.md.
import LLM

public enum CompressionError: Error, CustomStringConvertible, Equatable {
  case invalidOption(String)
  case shape(String)
  case io(String)

  public var description: String {
    switch self {
    case let .invalidOption(m): return "invalid compression option: \(m)"
    case let .shape(m): return "shape error: \(m)"
    case let .io(m): return "i/o error: \(m)"
    }
  }
}
