import Compression
import Foundation
import LLM
import LuaBridge
import TensorCore

/// `compress.quantize_checkpoint(dir, out, opts)`: layer-streamed quantization of a Hugging Face checkpoint on disk
/// to a GGUF file (StreamedQuantizer) — for models larger than memory; returns an info table (no model is loaded).
/// `prune = {...}` (the keys of `compress.pipeline`'s prune table) with `recovery = "none"|"refit"` prunes each block
/// first (StreamedPruner).
/// `llm.synthetic(dir, opts)`: writes a synthetic checkpoint of a preset family and size (SyntheticCheckpoint).
private let streamedDefaults = ModelQuantOptions(), calibrationDefaults = ECLDOptions()
private let syntheticDefaults = try! SyntheticModelSpec.preset(SyntheticModelSpec.presetNames[0])
struct CQuantCheckpointOpts: Codable {
  var type = "q4_0", method = "rtn", act_order = false, embedding_type = "q8_0", chunk_layers = streamedDefaults.chunkLayers
  var calibration_windows = calibrationDefaults.calibrationWindows, calibration_length = calibrationDefaults.calibrationLength
  var texts: [String]? = nil
  var prune: CPipePrune? = nil, recovery = "none", ridge = calibrationDefaults.refitRidge
  /// Only the first n blocks (0 = all).
  var layers = 0
  var row_chunk = 4096
}
struct LLMSyntheticOptions: Codable {
  var preset = SyntheticModelSpec.presetNames[0]
  /// Blocks (0 = the preset's).
  var layers = 0
  var seed = Int(syntheticDefaults.seed)
  var std = syntheticDefaults.std
  var dtype = syntheticDefaults.dtype.rawValue.lowercased()
  var shard_mb = Double(syntheticDefaults.maxShardBytes) / 1_048_576
}

extension CompressBinding {
  static func quantizeCheckpoint(_ call: LuaCall) throws -> Int32 {
    let dir = try call.string(1), out = try call.string(2)
    let o = try call.decode(3, defaults: CQuantCheckpointOpts())
    return try wrap(call, 3) {
      let qo = try quantOptions(CPipeQuant(type: o.type, method: o.method, act_order: o.act_order, embedding_type: o.embedding_type,
                                           chunk_layers: o.chunk_layers))
      guard o.layers >= 0 else { throw CompressionError.invalidOption("layers must be ≥ 0 (0 = all), got \(o.layers)") }
      let ck = try HuggingFaceCheckpoint(directory: dir)
      var windows: [[Int32]] = []
      let prune = try o.prune.map { StreamedPruneOptions(options: try pruneOptions($0), refit: try recovery(o.recovery, allowed: [.none, .refit]) == .refit,
                                                         ridge: o.ridge) }
      if prune != nil || qo.method != .rtn {
        windows = try Calibration.windows(tokenizer: ck.tokenizer, contextLength: ck.config.contextLength, texts: try texts(o.texts),
                                          length: o.calibration_length, count: o.calibration_windows)
      }
      let r = try StreamedQuantizer.quantize(checkpoint: ck, to: out, options: qo, windows: windows,
                                             layers: o.layers == 0 ? nil : o.layers, rowChunk: o.row_chunk, prune: prune)
      var info: [String: LuaValue] = ["seconds": .number(r.seconds), "layer_seconds": .array(r.layerSeconds.map { .number($0) }),
                                      "layers": .integer(r.layers), "bytes": .integer(r.outputBytes), "path": .string(out)]
      if let l = r.gptqLoss { info["gptq_loss"] = .number(l) }
      if let p = r.plan { info["kept_layers"] = .array(p.keepLayers.map { .integer($0) }) }
      for (k, v) in quantInfo(r.report) { info[k] = v }
      call.push(.table(info))
      return 1
    }
  }

  static func synthetic(_ call: LuaCall) throws -> Int32 {
    let dir = try call.string(1)
    let o = try call.decode(2, defaults: LLMSyntheticOptions())
    return try wrap(call, 2) {
      guard o.layers >= 0 else { throw LlamaError.badConfig("layers must be ≥ 0 (0 = the preset's), got \(o.layers)") }
      guard o.seed >= 0 else { throw LlamaError.badConfig("seed must be ≥ 0, got \(o.seed)") }
      guard let dtype = SafetensorsWriter.DType(rawValue: o.dtype.uppercased()) else {
        throw LlamaError.badConfig("dtype must be bf16, f16 or f32, got '\(o.dtype)'")
      }
      guard o.shard_mb >= 1, o.shard_mb <= 1_048_576 else { throw LlamaError.badConfig("shard_mb must be in 1...1048576, got \(o.shard_mb)") }
      var spec = try SyntheticModelSpec.preset(o.preset, layers: o.layers == 0 ? nil : o.layers)
      spec.seed = UInt64(o.seed); spec.std = o.std; spec.dtype = dtype; spec.maxShardBytes = Int(o.shard_mb * 1_048_576)
      let files = try SyntheticCheckpoint.write(spec, directory: dir)
      call.push(.table(["files": .array(files.map { .string($0) }), "bytes": .integer(spec.totalBytes),
                        "params": .integer(spec.config.parameterCount(tiedOutput: spec.tiedOutput)), "path": .string(dir)]))
      return 1
    }
  }
}
