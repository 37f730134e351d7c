// Structured pruning: plan (which heads / channels / layers to keep) and apply (a physically smaller dense
// LlamaModel with F32 weights: quantized inputs are dequantized; quantize afterwards).
//   let stats = try Calibration.collect(model: m, windows: w)
//   let plan  = try Pruner.plan(model: m, stats: stats, options: .init(ffnRatio: 0.25, headRatio: 0.25))
//   let small = try Pruner.apply(model: m, plan: plan)
// GQA: heads are removed either as whole KV groups (with their query heads) or evenly inside every group, so
// heads % kvHeads == 0 always holds. FFN widths are multiples of `options.multiple` (unless the layer is
// narrower than that).
import LLM

public enum Pruner {
  static func keepCount(_ n: Int, ratio: Double, multiple: Int) -> Int {
    if ratio <= 0 || n <= multiple { return n }
    let target = Double(n) * (1 - ratio)
    let k = Int((target / Double(multiple)).rounded()) * multiple
    return min(n, max(multiple, k))
  }

  static func topIndices(_ score: [Double], _ k: Int) -> [Int] {
    // stable: ties keep the lower index
    let order = score.indices.sorted { score[$0] != score[$1] ? score[$0] > score[$1] : $0 < $1 }
    return Array(order.prefix(k)).sorted()
  }

  /// Layers kept when the `drop` lowest-Block-Influence layers go (ties: the later layer goes first), ascending.
  public static func keptLayers(blockInfluence bi: [Double], drop: Int) -> [Int] {
    let all = Array(bi.indices)
    let dropped = Set(all.sorted { bi[$0] != bi[$1] ? bi[$0] < bi[$1] : $0 > $1 }.prefix(drop))
    return all.filter { !dropped.contains($0) }
  }

  /// Query heads, KV heads and FFN channels that layer l keeps under `o` — what `plan` keeps, known before any
  /// statistics (whole KV groups, or the same count inside every group; FFN widths rounded to `o.multiple`).
  public static func keptCounts(config c: LlamaConfig, layer l: Int, options o: PruneOptions) -> (heads: Int, kvHeads: Int, ffn: Int) {
    let f = c.ffn[l], nh = c.heads[l], nkv = c.kvHeads[l]
    let ffn = f > 0 && o.ffnRatio > 0 ? keepCount(f, ratio: o.ffnRatio, multiple: o.multiple) : f
    guard nh > 0 && o.headRatio > 0 else { return (nh, nkv, ffn) }
    let g = nh / nkv
    switch o.headMode {
    case .withinGroups: return (max(1, g - Int((Double(g) * o.headRatio).rounded())) * nkv, nkv, ffn)
    case .kvGroups:
      let kg = max(1, nkv - Int((Double(nkv) * o.headRatio).rounded()))
      return (kg * g, kg, ffn)
    }
  }

  /// The configuration of the model `apply` builds when `keepLayers` stay and every kept layer keeps `keptCounts`.
  public static func prunedConfig(_ c: LlamaConfig, keepLayers: [Int], options o: PruneOptions) -> LlamaConfig {
    var cfg = c
    let kept = keepLayers.map { keptCounts(config: c, layer: $0, options: o) }
    cfg.layers = keepLayers.count
    cfg.heads = kept.map(\.heads); cfg.kvHeads = kept.map(\.kvHeads); cfg.ffn = kept.map(\.ffn)
    return cfg
  }

  public static func plan(model: LlamaModel, stats: CalibrationStats?, options o: PruneOptions) throws -> PrunePlan {
    let c = model.config
    try o.validate(layers: c.layers)
    if let s = stats, s.layers.count != c.layers {
      throw CompressionError.shape("calibration has \(s.layers.count) layers, model \(c.layers)")
    }
    var keepLayers = Array(0..<c.layers)
    if o.dropLayers > 0 {
      guard let s = stats else { throw CompressionError.invalidOption("drop_layers needs calibration statistics (Block Influence)") }
      keepLayers = keptLayers(blockInfluence: s.layers.map(\.blockInfluence), drop: o.dropLayers)
    }
    var heads: [[Int]] = [], kv: [[Int]] = [], ffn: [[Int]] = []
    for l in 0..<c.layers {
      let f = c.ffn[l], kept = keptCounts(config: c, layer: l, options: o)
      if f > 0 && o.ffnRatio > 0 {
        let score = try Importance.ffn(model: model, layer: l, stats: stats, criterion: o.criterion)
        ffn.append(topIndices(score, kept.ffn))
      } else { ffn.append(Array(0..<f)) }
      let nh = c.heads[l], nkv = c.kvHeads[l]
      if nh > 0 && o.headRatio > 0 {
        let score = try Importance.heads(model: model, layer: l, stats: stats, criterion: o.criterion)
        let g = nh / nkv
        switch o.headMode {
        case .withinGroups:
          let m = kept.heads / nkv
          var hs: [Int] = []
          for grp in 0..<nkv {
            let idx = Array((grp * g)..<((grp + 1) * g))
            hs += topIndices(idx.map { score[$0] }, m).map { idx[$0] }
          }
          heads.append(hs); kv.append(Array(0..<nkv))
        case .kvGroups:
          let gs = (0..<nkv).map { grp in score[(grp * g)..<((grp + 1) * g)].reduce(0, +) }
          let keep = topIndices(gs, kept.kvHeads)
          kv.append(keep); heads.append(keep.flatMap { Array(($0 * g)..<(($0 + 1) * g)) })
        }
      } else { heads.append(Array(0..<nh)); kv.append(Array(0..<nkv)) }
    }
    return PrunePlan(keepLayers: keepLayers, keepHeads: heads, keepKV: kv, keepFFN: ffn)
  }

  /// Rows `idx` of w (each index selects `block` consecutive rows).
  static func rows(_ w: WeightMatrix?, _ idx: [Int], block: Int = 1) throws -> WeightMatrix? {
    guard let w, !idx.isEmpty else { return nil }
    let v = try w.floats(), c = w.cols
    var out = [Float](); out.reserveCapacity(idx.count * block * c)
    for i in idx { out += v[(i * block * c)..<((i + 1) * block * c)] }
    return WeightMatrix(rows: idx.count * block, cols: c, values: out)
  }

  /// Columns `idx` of w (each index selects `block` consecutive columns).
  static func cols(_ w: WeightMatrix?, _ idx: [Int], block: Int = 1) throws -> WeightMatrix? {
    guard let w, !idx.isEmpty else { return nil }
    let v = try w.floats(), c = w.cols, nc = idx.count * block
    var out = [Float](repeating: 0, count: w.rows * nc)
    for r in 0..<w.rows {
      for (k, i) in idx.enumerated() {
        for b in 0..<block { out[r * nc + k * block + b] = v[r * c + i * block + b] }
      }
    }
    return WeightMatrix(rows: w.rows, cols: nc, values: out)
  }

  public static func apply(model m: LlamaModel, plan p: PrunePlan) throws -> LlamaModel {
    let c = m.config, hd = c.headDim
    guard p.keepHeads.count == c.layers, p.keepKV.count == c.layers, p.keepFFN.count == c.layers,
          !p.keepLayers.isEmpty, p.keepLayers.allSatisfy({ (0..<c.layers).contains($0) }) else {
      throw CompressionError.shape("prune plan does not match a \(c.layers)-layer model")
    }
    var cfg = c
    cfg.layers = p.keepLayers.count
    cfg.heads = p.keepLayers.map { p.keepHeads[$0].count }
    cfg.kvHeads = p.keepLayers.map { p.keepKV[$0].count }
    cfg.ffn = p.keepLayers.map { p.keepFFN[$0].count }
    let layers = try p.keepLayers.map { l -> LlamaLayer in
      let L = m.layers[l], hs = p.keepHeads[l], ks = p.keepKV[l], fs = p.keepFFN[l]
      let g = c.heads[l] / max(1, c.kvHeads[l])
      // grouping: heads kept in group order, equal count per kept KV group
      if !hs.isEmpty {
        let per = hs.count / ks.count
        guard per * ks.count == hs.count,
              hs.enumerated().allSatisfy({ i, h in h / g == ks[i / per] }) else {
          throw CompressionError.shape("layer \(l): kept query heads \(hs) do not form equal groups over KV heads \(ks)")
        }
      }
      // Family extras: Q/K norms are one headDim vector shared by the heads (kept while any head is); Q/K/V biases
      // are per row and pruned with their heads.
      func bias(_ b: [Float]?, _ idx: [Int]) -> [Float]? {
        guard let b, !idx.isEmpty else { return nil }
        return idx.flatMap { b[($0 * hd)..<(($0 + 1) * hd)] }
      }
      return LlamaLayer(attnNorm: L.attnNorm, wq: try rows(L.wq, hs, block: hd), wk: try rows(L.wk, ks, block: hd),
                        wv: try rows(L.wv, ks, block: hd), wo: try cols(L.wo, hs, block: hd), ffnNorm: L.ffnNorm,
                        gate: try rows(L.gate, fs), up: try rows(L.up, fs), down: try cols(L.down, fs),
                        qNorm: hs.isEmpty ? nil : L.qNorm, kNorm: hs.isEmpty ? nil : L.kNorm,
                        qBias: bias(L.qBias, hs), kBias: bias(L.kBias, ks), vBias: bias(L.vBias, ks))
    }
    let out = try LlamaModel(config: cfg, tokenizer: m.tokenizer, embedding: m.embedding, layers: layers,
                             outputNorm: m.outputNorm, output: m.output)
    out.sourceMetadata = m.sourceMetadata
    return out
  }

  /// Linear-layer parameters (q,k,v,o,gate,up,down) of a model — the base of "% of linear parameters".
  public static func linearParameters(_ m: LlamaModel) -> Int {
    m.layers.reduce(0) { n, l in n + [l.wq, l.wk, l.wv, l.wo, l.gate, l.up, l.down].reduce(0) { $0 + ($1.map { $0.rows * $0.cols } ?? 0) } }
  }
}
