// Calibration: run a model on calibration token windows and collect, per layer, the statistics pruning,
// GPTQ and refits need. Everything is streamed through the forward pass's activation hooks; per layer the
// memory is O(dim + heads·headDim + ffn) (plus optional Gram matrices, see `CalibrationOptions.grams`).
//
// Collected per layer l:
//   attnInput / ffnInput      per-channel Σx, Σx² of the RMS-normed inputs of q/k/v and gate/up
//   attnOutput                per-channel stats of the concatenated head outputs (input of attn_output);
//                             a head's output norm = √(Σ_{c∈head} mean x_c²)
//   ffnActivation             per-channel stats of silu(gate)·up (input of ffn_down)
//   blockInfluence            BI_l = 1 − mean_t cos(h_in,t , h_out,t) (ShortGPT), h = residual stream
import Foundation
import LLM
import TensorCore

public struct LayerCalibration: Sendable, Codable, Equatable {
  public var attnInput: ChannelStats
  public var attnOutput: ChannelStats
  public var ffnInput: ChannelStats
  public var ffnActivation: ChannelStats
  /// Σ_t cos(h_in, h_out) and the number of positions.
  public var cosSum: Double = 0
  public var cosCount: Int = 0
  public var blockInfluence: Double { cosCount == 0 ? 0 : 1 - cosSum / Double(cosCount) }

  /// Per query head: √(Σ_{c∈head} mean x_c²) of the attention output (Minitron head importance).
  public func headNorms(headDim: Int) -> [Double] {
    let ms = attnOutput.meanSquare
    return stride(from: 0, to: ms.count, by: headDim).map { h in ms[h..<(h + headDim)].reduce(0, +).squareRoot() }
  }
}

public struct CalibrationStats: Sendable, Codable, Equatable {
  public var layers: [LayerCalibration]
  public var tokens: Int
  public var sequences: Int
}

public enum Calibration {
  /// Token windows from `texts`: each text tokenized (BOS per the tokenizer), texts joined, cut into
  /// `count` non-overlapping windows of `length` tokens (fewer if the text runs out).
  public static func windows(model: LlamaModel, texts: [String], length: Int, count: Int) throws -> [[Int32]] {
    try windows(tokenizer: model.tokenizer, contextLength: model.config.contextLength, texts: texts, length: length, count: count)
  }

  /// The same from a tokenizer alone (layer-streamed pipelines have no model in memory).
  public static func windows(tokenizer: Tokenizer, contextLength: Int, texts: [String], length: Int, count: Int) throws -> [[Int32]] {
    guard length >= 2, count >= 1 else { throw CompressionError.invalidOption("calibration windows need length ≥ 2 and count ≥ 1") }
    try Limits.size(length, max: contextLength, name: "calibration_length", min: 2)
    try Limits.size(count, max: 1_000_000, name: "calibration_windows", min: 1)
    var stream: [Int32] = []
    let need = length * count
    for t in texts where stream.count < need { stream += try tokenizer.encode(t, check: Cancellation.check) }
    var out: [[Int32]] = []
    var i = 0
    while i + length <= stream.count, out.count < count { out.append(Array(stream[i..<(i + length)])); i += length }
    guard !out.isEmpty else { throw CompressionError.invalidOption("calibration text has \(stream.count) tokens, fewer than one window of \(length)") }
    return out
  }

  /// Collect statistics over `windows` (each run from an empty cache). `progress(done, total)` after each window.
  /// (GPTQ Hessians and refit Grams need their own passes: GPTQ runs on the partly quantized model, and the
  /// refit only knows which layers need a Gram once the pruning plan exists.)
  public static func collect(model: LlamaModel, windows: [[Int32]],
                             progress: ((Int, Int) -> Void)? = nil) throws -> CalibrationStats {
    let c = model.config
    var layers = (0..<c.layers).map { l in
      LayerCalibration(attnInput: ChannelStats(cols: c.dim), attnOutput: ChannelStats(cols: c.heads[l] * c.headDim),
                       ffnInput: ChannelStats(cols: c.dim), ffnActivation: ChannelStats(cols: c.ffn[l]))
    }
    var tokens = 0
    for (wi, w) in windows.enumerated() {
      try Cancellation.check()
      var cache = model.makeCache(reserve: w.count)
      // residual stream entering the current layer
      var hin = [Float](repeating: 0, count: w.count * c.dim)
      try hin.withUnsafeMutableBufferPointer { b in
        for (i, t) in w.enumerated() { try model.embedding.row(Int(t), into: b.baseAddress! + i * c.dim) }
      }
      _ = try model.forward(tokens: w, cache: &cache, lastOnly: true) { l, site, v, rows, cols in
        layers[l].observe(site, v, rows: rows, cols: cols, residual: &hin)
      }
      tokens += w.count
      progress?(wi + 1, windows.count)
    }
    return CalibrationStats(layers: layers, tokens: tokens, sequences: windows.count)
  }
}

extension LayerCalibration {
  /// Add one activation-hook call of this layer: channel statistics for the four linear inputs; at the block
  /// output, cos(h_in, h_out) per position against `residual` (the stream entering the block), which then becomes
  /// the block output (the next layer's input).
  mutating func observe(_ site: ActivationSite, _ v: UnsafeBufferPointer<Float>, rows: Int, cols: Int, residual hin: inout [Float]) {
    switch site {
    case .attnInput: attnInput.add(v, rows: rows, cols: cols)
    case .attnOutput: attnOutput.add(v, rows: rows, cols: cols)
    case .ffnInput: ffnInput.add(v, rows: rows, cols: cols)
    case .ffnActivation: ffnActivation.add(v, rows: rows, cols: cols)
    case .blockOutput:
      hin.withUnsafeMutableBufferPointer { hb in
        for r in 0..<rows {
          let a = hb.baseAddress! + r * cols, b = v.baseAddress! + r * cols
          var ab = 0.0, aa = 0.0, bb = 0.0
          for j in 0..<cols { let x = Double(a[j]), y = Double(b[j]); ab += x * y; aa += x * x; bb += y * y }
          let den = (aa * bb).squareRoot()
          cosSum += den > 0 ? ab / den : 1
          a.update(from: b, count: cols)
        }
      }
      cosCount += rows
    }
  }
}
