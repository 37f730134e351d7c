// Importance scores for pruning (definitions in PruneOptions.swift).
import LLM

public enum Importance {
  /// Column squared norms ‖W[:,j]‖² of a [rows × cols] matrix.
  static func colSq(_ w: WeightMatrix) throws -> [Double] {
    let v = try w.floats()
    var out = [Double](repeating: 0, count: w.cols)
    for r in 0..<w.rows { for j in 0..<w.cols { let x = Double(v[r * w.cols + j]); out[j] += x * x } }
    return out
  }
  /// Row squared norms ‖W[i,:]‖².
  static func rowSq(_ w: WeightMatrix) throws -> [Double] {
    let v = try w.floats()
    return (0..<w.rows).map { r in var s = 0.0; for j in 0..<w.cols { let x = Double(v[r * w.cols + j]); s += x * x }; return s }
  }

  /// Per-channel FFN importance of layer `l`.
  public static func ffn(model: LlamaModel, layer l: Int, stats: CalibrationStats?, criterion: PruneCriterion) throws -> [Double] {
    let L = model.layers[l]
    guard let gate = L.gate, let up = L.up, let down = L.down else { return [] }
    switch criterion {
    case .magnitude:
      let g = try rowSq(gate), u = try rowSq(up), d = try colSq(down)
      return (0..<g.count).map { g[$0] + u[$0] + d[$0] }
    case .activation:
      guard let s = stats else { throw CompressionError.invalidOption("criterion 'activation' needs calibration statistics") }
      return s.layers[l].ffnActivation.rms
    case .flap:
      guard let s = stats else { throw CompressionError.invalidOption("criterion 'flap' needs calibration statistics") }
      let d = try colSq(down), v = s.layers[l].ffnActivation.variance
      return (0..<d.count).map { v[$0] * d[$0] }
    }
  }

  /// Per-query-head importance of layer `l`.
  public static func heads(model: LlamaModel, layer l: Int, stats: CalibrationStats?, criterion: PruneCriterion) throws -> [Double] {
    let c = model.config, hd = c.headDim, nh = c.heads[l], L = model.layers[l]
    guard nh > 0, let wq = L.wq, let wo = L.wo else { return [] }
    func perHead(_ x: [Double]) -> [Double] { (0..<nh).map { h in x[(h * hd)..<((h + 1) * hd)].reduce(0, +) } }
    switch criterion {
    case .magnitude:
      let q = perHead(try rowSq(wq)), o = perHead(try colSq(wo))
      return (0..<nh).map { q[$0] + o[$0] }
    case .activation:
      guard let s = stats else { throw CompressionError.invalidOption("criterion 'activation' needs calibration statistics") }
      return s.layers[l].headNorms(headDim: hd)
    case .flap:
      guard let s = stats else { throw CompressionError.invalidOption("criterion 'flap' needs calibration statistics") }
      let o = try colSq(wo), v = s.layers[l].attnOutput.variance
      return perHead((0..<o.count).map { v[$0] * o[$0] })
    }
  }
}
