// Llama-3.1 ("llama3") RoPE frequency scaling.
//
// HF transformers `_compute_llama3_parameters` (modeling_rope_utils.py) rescales the inverse frequencies
// inv_i = θ^(−2i/d) by their wavelength λ_i = 2π / inv_i, with L = original_max_position_embeddings:
//   λ_i < L / high_freq_factor                 → inv_i            (high frequencies kept)
//   λ_i > L / low_freq_factor                  → inv_i / factor   (low frequencies stretched)
//   otherwise, s = (L/λ_i − low) / (high − low) → (1 − s)·inv_i/factor + s·inv_i
// llama.cpp stores the same thing as divisors, the tensor rope_freqs.weight (convert_hf_to_gguf.py):
//   f_i = 1, factor, or 1 / ((1 − s)/factor + s), and RoPE uses inv_i / f_i. The decoder only sees the
// divisors (LlamaConfig.ropeFrequencyFactors); the parameters are kept to write config.json back.
import Foundation

public struct Llama3RoPEScaling: Codable, Sendable, Equatable {
  public var factor: Double
  public var lowFrequencyFactor: Double
  public var highFrequencyFactor: Double
  public var originalContextLength: Int

  public init(factor: Double, lowFrequencyFactor: Double = 1, highFrequencyFactor: Double = 4,
              originalContextLength: Int = 8192) {
    self.factor = factor; self.lowFrequencyFactor = lowFrequencyFactor
    self.highFrequencyFactor = highFrequencyFactor; self.originalContextLength = originalContextLength
  }

  public func validate() throws {
    guard factor.isFinite, factor > 0 else { throw LlamaError.badConfig("rope_scaling.factor \(factor) must be > 0") }
    guard lowFrequencyFactor.isFinite, highFrequencyFactor.isFinite, lowFrequencyFactor > 0,
          highFrequencyFactor > lowFrequencyFactor else {
      throw LlamaError.badConfig("rope_scaling needs 0 < low_freq_factor (\(lowFrequencyFactor)) < high_freq_factor (\(highFrequencyFactor))")
    }
    guard originalContextLength >= 1 else {
      throw LlamaError.badConfig("rope_scaling.original_max_position_embeddings \(originalContextLength) must be ≥ 1")
    }
  }

  /// Divisors f_i of the ropeDim/2 inverse frequencies (llama.cpp rope_freqs.weight).
  public func frequencyFactors(ropeDim: Int, theta: Double) -> [Float] {
    let lowWavelength = Double(originalContextLength) / lowFrequencyFactor
    let highWavelength = Double(originalContextLength) / highFrequencyFactor
    return (0..<(ropeDim / 2)).map { i in
      let inv = pow(theta, -2.0 * Double(i) / Double(ropeDim))
      let wavelength = 2 * Double.pi / inv
      if wavelength < highWavelength { return 1 }
      if wavelength > lowWavelength { return Float(factor) }
      let s = (Double(originalContextLength) / wavelength - lowFrequencyFactor) / (highFrequencyFactor - lowFrequencyFactor)
      return Float(1 / ((1 - s) / factor + s))
    }
  }

  /// From a HF config.json `rope_scaling` object; nil when absent or "default". Other types are refused.
  public static func fromHuggingFace(_ object: Any?) throws -> Llama3RoPEScaling? {
    guard let object, !(object is NSNull) else { return nil }
    guard let d = object as? [String: Any] else { throw LlamaError.badConfig("config.json rope_scaling is not an object") }
    let type = (d["rope_type"] as? String) ?? (d["type"] as? String) ?? "default"
    if type == "default" { return nil }
    guard type == "llama3" else {
      throw LlamaError.badConfig("config.json rope_scaling type '\(type)' is not supported (supported: llama3)")
    }
    func num(_ k: String) throws -> Double {
      guard let v = (d[k] as? NSNumber)?.doubleValue else { throw LlamaError.badConfig("config.json rope_scaling lacks \(k)") }
      return v
    }
    let ctx = try num("original_max_position_embeddings")
    guard ctx >= 1, ctx <= Double(LlamaConfig.maxContext) else {
      throw LlamaError.badConfig("rope_scaling.original_max_position_embeddings \(ctx) outside 1 ... \(LlamaConfig.maxContext)")
    }
    let s = Llama3RoPEScaling(factor: try num("factor"), lowFrequencyFactor: try num("low_freq_factor"),
                              highFrequencyFactor: try num("high_freq_factor"), originalContextLength: Int(ctx))
    try s.validate()
    return s
  }

  /// The config.json `rope_scaling` object.
  public var huggingFace: [String: Any] {
    ["rope_type": "llama3", "factor": factor, "low_freq_factor": lowFrequencyFactor,
     "high_freq_factor": highFrequencyFactor, "original_max_position_embeddings": originalContextLength]
  }
}
