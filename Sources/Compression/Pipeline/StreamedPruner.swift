// Layer-streamed structured pruning with the least-squares refit, for models larger than RAM. It gives what the
// in-memory path gives,
//   plan   = Pruner.plan(m, Calibration.collect(m, windows), options)
//   pruned = Refit.apply(original: m, pruned: Pruner.apply(m, plan), plan, windows)      (refit on)
// bit for bit (tested), while holding one unpruned block at a time. The calibration windows' residual streams of
// the UNPRUNED model are kept (windows · length · dim floats: the in-memory calibration and refit see exactly
// these); block l runs on them once with hooks that collect its statistics (channel moments, Block Influence)
// and, with the refit on, the Grams G = Σ x xᵀ of the attn_output and ffn_down inputs; the block's own plan
// (`Pruner.plan` on a one-block model — importance is per layer) prunes it, `Refit.refitLayer` re-solves
// attn_output / ffn_down from the Grams, and the unpruned block advances the streams.
// Depth pruning (`dropLayers`, Block Influence BI_l = 1 − E[cos(h_in, h_out)], ShortGPT) ranks all layers, so it
// costs one extra forward pass over every block before the first block is pruned.
// `next()` hands out the pruned blocks in order, so a consumer that pulls blocks in order (the streamed
// quantizer's `load`) can quantize and write block j before block j + 1 is read.
import Foundation
import LLM
import TensorCore

public final class StreamedPruner {
  public let config: LlamaConfig
  public let options: PruneOptions
  /// Source layers kept, ascending.
  public let keepLayers: [Int]
  /// The configuration of the pruned model (`Pruner.prunedConfig`).
  public let prunedConfig: LlamaConfig
  /// The plan, filled in as blocks are pruned (entries of dropped layers and of layers not reached yet are empty).
  public private(set) var plan: PrunePlan

  private let tokenizer: Tokenizer, embedding: WeightMatrix, outputNorm: [Float]
  private let windows: [[Int32]], refit: Bool, ridge: Double
  private let load: (Int) throws -> LlamaLayer
  private var hidden: [[Float]]
  private var source = 0, handedOut = 0

  /// `load(l)` reads source block l (F32 or any stored type); it is called once per block up to the last kept one
  /// (and once more for every block first with `dropLayers` > 0). `windows` must be non-empty unless the criterion is `magnitude` and no layer is dropped
  /// and the refit is off.
  public init(config c: LlamaConfig, tokenizer: Tokenizer, embedding: WeightMatrix, outputNorm: [Float],
              options o: PruneOptions, refit: Bool, ridge: Double = 1e-3, windows: [[Int32]],
              load: @escaping (Int) throws -> LlamaLayer) throws {
    try o.validate(layers: c.layers)
    guard ridge >= 0 else { throw CompressionError.invalidOption("ridge must be ≥ 0") }
    let needsData = o.criterion != .magnitude || o.dropLayers > 0 || refit
    if needsData && windows.isEmpty {
      throw CompressionError.invalidOption("streamed pruning needs calibration windows (criterion \(o.criterion.rawValue), drop_layers \(o.dropLayers), refit \(refit))")
    }
    config = c; options = o; self.tokenizer = tokenizer; self.embedding = embedding; self.outputNorm = outputNorm
    self.windows = windows; self.refit = refit; self.ridge = ridge; self.load = load
    let embedded = try windows.map { try LlamaModel.embed($0, embedding: embedding) }
    var kept = Array(0..<c.layers)
    if o.dropLayers > 0 {
      var streams = embedded, influence = [Double]()
      for l in 0..<c.layers {
        var stats = Self.emptyStats(c, l)
        try Self.block(c, l, tokenizer, embedding, outputNorm, try load(l)).run(windows, &streams) { stats.observe($0, $1, rows: $2, cols: $3, residual: &$4) }
        influence.append(stats.blockInfluence)
      }
      kept = Pruner.keptLayers(blockInfluence: influence, drop: o.dropLayers)
    }
    keepLayers = kept
    prunedConfig = Pruner.prunedConfig(c, keepLayers: kept, options: o)
    plan = PrunePlan(keepLayers: kept, keepHeads: Array(repeating: [], count: c.layers), keepKV: Array(repeating: [], count: c.layers),
                     keepFFN: Array(repeating: [], count: c.layers))
    hidden = embedded
  }

  /// Whether every kept block has been handed out.
  public var isFinished: Bool { handedOut == keepLayers.count }

  /// The next kept block, pruned (and refit): reads source blocks up to it, advancing the streams through each.
  public func next() throws -> LlamaLayer {
    guard handedOut < keepLayers.count else { throw CompressionError.invalidOption("streamed pruning: all \(keepLayers.count) blocks were already handed out") }
    let target = keepLayers[handedOut]
    while source < target {                          // dropped blocks still move the unpruned streams on
      try Self.block(config, source, tokenizer, embedding, outputNorm, try load(source)).run(windows, &hidden, observe: nil)
      source += 1
    }
    let l = target, c = config, original = try load(l)
    let one = try Self.block(c, l, tokenizer, embedding, outputNorm, original)
    var stats = Self.emptyStats(c, l)
    let pruneHeads = options.headRatio > 0 && c.heads[l] > 0, pruneFFN = options.ffnRatio > 0 && c.ffn[l] > 0
    var attnGram = refit && pruneHeads ? GPTQHessian(cols: c.heads[l] * c.headDim) : nil
    var ffnGram = refit && pruneFFN ? GPTQHessian(cols: c.ffn[l]) : nil
    try one.run(windows, &hidden) { site, v, rows, cols, residual in
      if site == .attnOutput { attnGram?.add(v.baseAddress!, rows: rows) }
      if site == .ffnActivation { ffnGram?.add(v.baseAddress!, rows: rows) }
      stats.observe(site, v, rows: rows, cols: cols, residual: &residual)
    }
    var blockOptions = options
    blockOptions.dropLayers = 0
    let calibration = CalibrationStats(layers: [stats], tokens: windows.reduce(0) { $0 + $1.count }, sequences: windows.count)
    let blockPlan = try Pruner.plan(model: one, stats: calibration, options: blockOptions)
    var layer = try Pruner.apply(model: one, plan: blockPlan).layers[0]
    plan.keepHeads[l] = blockPlan.keepHeads[0]; plan.keepKV[l] = blockPlan.keepKV[0]; plan.keepFFN[l] = blockPlan.keepFFN[0]
    // Refit only what was really pruned (as Refit.apply does).
    if blockPlan.keepHeads[0].count == c.heads[l] { attnGram = nil }
    if blockPlan.keepFFN[0].count == c.ffn[l] { ffnGram = nil }
    try Refit.refitLayer(&layer, original: original, keepHeads: blockPlan.keepHeads[0], keepFFN: blockPlan.keepFFN[0],
                         headDim: c.headDim, attnGram: attnGram, ffnGram: ffnGram, ridge: ridge)
    source = l + 1; handedOut += 1
    return layer
  }

  static func emptyStats(_ c: LlamaConfig, _ l: Int) -> LayerCalibration {
    LayerCalibration(attnInput: ChannelStats(cols: c.dim), attnOutput: ChannelStats(cols: c.heads[l] * c.headDim),
                     ffnInput: ChannelStats(cols: c.dim), ffnActivation: ChannelStats(cols: c.ffn[l]))
  }

  /// Source block l as a one-block model.
  static func block(_ c: LlamaConfig, _ l: Int, _ tokenizer: Tokenizer, _ embedding: WeightMatrix, _ outputNorm: [Float],
                    _ layer: LlamaLayer) throws -> LlamaModel {
    try LlamaModel(config: c.slice(l..<l + 1), tokenizer: tokenizer, embedding: embedding, layers: [layer],
                   outputNorm: outputNorm, output: nil)
  }
}

extension LlamaModel {
  /// Run this (one-block) model on every window's residual stream in place; `observe(site, values, rows, cols,
  /// residual)` sees each hook call with a copy of the stream entering the block (for Block Influence).
  func run(_ windows: [[Int32]], _ streams: inout [[Float]],
           observe: ((ActivationSite, UnsafeBufferPointer<Float>, Int, Int, inout [Float]) -> Void)?) throws {
    for (i, w) in windows.enumerated() {
      try Cancellation.check()
      guard let observe else { try forwardBlocks(0..<1, hidden: &streams[i], n: w.count); continue }
      var residual = streams[i]
      try forwardBlocks(0..<1, hidden: &streams[i], n: w.count) { _, site, v, rows, cols in observe(site, v, rows, cols, &residual) }
    }
  }
}
