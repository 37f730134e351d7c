// Module Compression (ECLD): calibration statistics, structured pruning, quantization (Quantize/),
// distillation and least-squares refit, and the pipeline composing them.
// Every stage is a function LlamaModel → new LlamaModel. See docs/ARCHITECTURE.md and the decision records
// docs/decisions/0006-gptq-into-ggml-blocks.md and 0012-pruning-recovery-refit-and-distillation.md.
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
