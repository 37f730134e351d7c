// Layer-streamed quantization of a Hugging Face checkpoint to GGUF, for models larger than RAM: the GGUF header
// and tensor infos are written first (shapes from config.json, types from PrecisionRules), then the tensor data
// in file order — token embedding and output head by RTN in chunks of rows (every ggml type is row-local, so
// chunked rounding gives the same bytes), the decoder blocks through ModelQuantizer.quantizeBlocks, reading block l
// from the memory-mapped shards in F32, quantizing it (RTN, or sequential GPTQ with the calibration windows'
// hidden states carried block to block), writing it and dropping it before block l + 1 is read.
// The output is byte for byte the file `ModelQuantizer.quantize` + `save` writes for the same checkpoint loaded
// whole (tested). Memory: one block in F32 (4·params per block), its quantized copy, and for GPTQ the block's
// Hessians (F32, dim² twice + (heads·headDim)² + ffn²) and one GPTQ factor at a time (two Double cols² buffers while it is inverted, then a Float cols²),
// plus windows·length·dim floats of hidden states; the embedding stays memory-mapped (16-bit checkpoints) and
// only the calibration tokens' rows are touched.
// With `prune`, the blocks are pruned (and refit) layer by layer first (StreamedPruner: the unpruned block, its
// Grams and the unpruned windows' streams more); the pruned shapes are known before any statistics
// (Pruner.prunedConfig; depth pruning runs its Block Influence pass before the header is written).
import Foundation
import LLM
import TensorCore

public struct StreamedQuantResult: Sendable {
  public let report: QuantReport
  public let seconds: Double
  /// Wall time of each block: read + (GPTQ: calibration forward) + quantize + write.
  public let layerSeconds: [Double]
  public let gptqLoss: Double?
  public let outputBytes: Int
  /// Blocks written (all, or the first `layers`; fewer after depth pruning).
  public let layers: Int
  /// What pruning kept (source indices), when the run pruned.
  public let plan: PrunePlan?
}

/// Structured pruning inside a streamed run: what to remove, and whether to refit attn_output / ffn_down.
public struct StreamedPruneOptions: Sendable {
  public var options: PruneOptions
  public var refit: Bool
  public var ridge: Double
  public init(options: PruneOptions, refit: Bool = true, ridge: Double = 1e-3) {
    self.options = options; self.refit = refit; self.ridge = ridge
  }
}

public enum StreamedQuantizer {
  /// Estimated peak bytes of a streamed run over `c` (the terms listed in the header; the GPTQ factor as three
  /// Double cols² matrices (a margin over the two it uses), forward scratch as two window-tokens × (dim + ffn) float buffers).
  public static func estimatedPeakBytes(config c: LlamaConfig, options o: ModelQuantOptions, windowTokens: Int, rowChunk: Int,
                                        pruning: Bool = false) -> Int {
    var isGPTQ = false
    if case .gptq = o.method { isGPTQ = true }
    var block = 0, hessian = 0, widest = 0
    for l in 0..<c.layers {
      let q = c.heads[l] * c.headDim, k = c.kvHeads[l] * c.headDim
      block = max(block, 4 * (2 * c.dim * q + 2 * c.dim * k + 3 * c.dim * c.ffn[l]))
      hessian = max(hessian, 4 * (2 * c.dim * c.dim + q * q + c.ffn[l] * c.ffn[l]))
      widest = max(widest, c.dim, q, c.ffn[l])
    }
    let chunk = min(o.chunkLayers, c.layers)
    var bytes = chunk * (block + block / 4) + 8 * rowChunk * c.dim
    if isGPTQ { bytes += chunk * hessian + 24 * widest * widest + 12 * windowTokens * (c.dim + (c.ffn.max() ?? 0)) }
    // Pruning: the unpruned block, its two Grams (Double), the unpruned streams and a residual copy.
    if pruning { bytes += block + 8 * widest * widest * 2 + 8 * windowTokens * c.dim + 12 * windowTokens * (c.dim + (c.ffn.max() ?? 0)) }
    return bytes
  }

  /// Quantize `checkpoint` to a GGUF file at `path` (written to a temp file, moved into place when complete).
  /// `layers`: only the first n blocks (a smaller model of the same shape, for timing runs).
  /// `memoryLimitBytes`: refuse (clear error) when the estimate exceeds it (default: physical memory).
  public static func quantize(checkpoint ck: HuggingFaceCheckpoint, to path: String, options o: ModelQuantOptions,
                              windows: [[Int32]] = [], layers: Int? = nil, rowChunk: Int = 4096,
                              memoryLimitBytes: Int? = nil, prune: StreamedPruneOptions? = nil,
                              progress: ((String, Int, Int) -> Void)? = nil) throws -> StreamedQuantResult {
    let t0 = Date()
    var c = ck.config
    if let n = layers {
      guard (1...c.layers).contains(n) else { throw CompressionError.invalidOption("layers must be in 1...\(c.layers), got \(n)") }
      c = c.slice(0..<n)
    }
    guard rowChunk >= 1 else { throw CompressionError.invalidOption("row_chunk must be ≥ 1, got \(rowChunk)") }
    let limit = memoryLimitBytes ?? Int(ProcessInfo.processInfo.physicalMemory)
    let need = estimatedPeakBytes(config: c, options: o, windowTokens: windows.reduce(0) { $0 + $1.count }, rowChunk: rowChunk,
                                  pruning: prune != nil)
    guard need <= limit else {
      throw CompressionError.invalidOption(String(format: "streamed quantization of this model needs about %.1f GB, more than the %.1f GB limit (use chunk_layers = 1, fewer calibration tokens, or a smaller model)",
                                                  Double(need) / 1e9, Double(limit) / 1e9))
    }
    let embedding = try ck.embedding(keepWeightType: true), outputNorm = try ck.outputNorm()
    var pruner: StreamedPruner?
    if let p = prune {
      pruner = try StreamedPruner(config: c, tokenizer: ck.tokenizer, embedding: embedding, outputNorm: outputNorm,
                                  options: p.options, refit: p.refit, ridge: p.ridge, windows: windows) { try ck.layer($0) }
      c = pruner!.prunedConfig
    }
    let layout = LlamaModel.ggufLayout(config: c, tiedOutput: ck.tiedOutput)
    func type(_ s: GGUFTensorSlot) -> GGMLType { s.isMatrix ? o.rules.type(for: s.name, cols: s.cols) : .f32 }
    let bulk = layout.first { $0.field == "attn_q.weight" } ?? layout.first { $0.field == "ffn_gate.weight" }
    var writer = LlamaModel.ggufMetadata(config: c, tokenizer: ck.tokenizer, sourceMetadata: [], bulkType: bulk.map(type),
                                         quantized: layout.contains { $0.isMatrix && type($0) != .f32 })
    writer.tensors = try layout.map { try GGUFWriter.Tensor(name: $0.name, type: type($0), dims: $0.dims) }
    let out = try GGUFStreamWriter(path: path, layout: writer)
    var report = QuantReport()

    func writeModelLevel(_ s: GGUFTensorSlot) throws {
      guard s.isMatrix else {
        let v = s.field == "rope_freqs.weight" ? c.ropeFrequencyFactors! : try ck.vector(s.field, s.cols)!
        try out.append(s.name, floats: v); return
      }
      var requested = type(s), method = "rtn"
      for r in stride(from: 0, to: s.rows, by: rowChunk) {
        try Cancellation.check()
        let rows = r..<min(s.rows, r + rowChunk)
        guard let v = try ck.floats(s.field, rows: s.rows, cols: s.cols, rowRange: rows) else { throw SafetensorsError.missingTensor(s.field) }
        let t = try TensorQuantizer.quantize(name: s.name, v, rows: rows.count, cols: s.cols, rules: o.rules, method: o.method,
                                             factor: nil, threads: o.threads)
        try out.append(s.name, UnsafeRawBufferPointer(start: t.matrix.storage.base + t.matrix.offset, count: t.matrix.rows * t.matrix.rowBytes))
        requested = t.requested; method = t.method
      }
      report.add(name: s.name, type: type(s), requested: requested, method: method, rows: s.rows, cols: s.cols)
    }

    for s in layout.prefix(while: { $0.layer == nil }) { try writeModelLevel(s) }
    var layerSeconds = [Double](), mark = Date()
    let blocks = try ModelQuantizer.quantizeBlocks(
      config: c, tokenizer: ck.tokenizer, embedding: embedding, outputNorm: outputNorm, options: o, windows: windows,
      load: { l in try pruner?.next() ?? ck.layer(l) },
      emit: { l, layer in
        for s in layout where s.layer == l {
          if s.isMatrix {
            guard let m = layer.matrix(s.field), case let .quantized(q) = m.storage else {
              throw CompressionError.shape("\(s.name) was not quantized")
            }
            try out.append(s.name, UnsafeRawBufferPointer(start: q.storage.base + q.offset, count: q.rows * q.rowBytes))
          } else {
            guard let v = layer.vector(s.field) else { throw CompressionError.shape("\(s.name) missing from block \(l)") }
            try out.append(s.name, floats: v)
          }
        }
        layerSeconds.append(Date().timeIntervalSince(mark)); mark = Date()
      }, progress: progress)
    report.append(blocks.report)
    for s in layout.reversed().prefix(while: { $0.layer == nil }).reversed() { try writeModelLevel(s) }
    try out.finish()
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    return StreamedQuantResult(report: report, seconds: Date().timeIntervalSince(t0), layerSeconds: layerSeconds,
                               gptqLoss: blocks.loss, outputBytes: size, layers: c.layers, plan: pruner?.plan)
  }
}
