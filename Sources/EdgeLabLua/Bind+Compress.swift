import Compression
import Evaluation
import Foundation
import LLM
import LuaBridge

/// `edgelab.compress`: ECLD stages on edgelab.LLM models. Every function returns a NEW model and an info table
/// {params=, linear_params=, bytes=, bits_per_weight=, seconds=, ...}. Options tables reject unknown keys.
/// Calibration text: `texts = {...}` or, by default, the calibration split of HaluEval summarization.
///   compress.prune(model, {ffn_ratio=0.25, head_ratio=0.34, head_mode="within_groups"|"kv_groups",
///                          drop_layers=0, criterion="activation"|"flap"|"magnitude", multiple=32,
///                          recovery="none"|"refit", ridge=1e-3, calibration_windows=16, calibration_length=256, texts=})
///   compress.quantize(model, {type="q4_0", method="rtn"|"gptq", act_order=false, embedding_type="q8_0",
///                             chunk_layers=1, calibration_windows=32, calibration_length=256, texts=})
///   compress.distill(teacher, student, {steps=100, batch_size=2, lr=1e-4, min_lr=1e-5, warmup=5, temperature=2,
///                    alpha=1, top_k=64, clip=1, weight_decay=0, train_embedding=false, seed=0, windows=64, length=128,
///                    checkpoint=, checkpoint_every=0, resume=false, source="calibration"|"teacher",
///                    sample_temperature=1, sample_top_k=0, sample_top_p=1, texts=})
///     source="teacher": the windows are sampled from the teacher (TeacherCorpus, cached under assets/cache).
///   compress.pipeline(model, {prune={...prune keys without calibration}, recovery="none"|"refit"|"distill"|"refit+distill",
///                     distill={...}, quantize={type=, method=, act_order=, embedding_type=}, calibration_windows=,
///                     calibration_length=, distill_windows=, texts=})
///   compress.quantize_checkpoint(hf_dir, out_gguf, {type=, method=, act_order=, embedding_type=, chunk_layers=,
///                     calibration_windows=32, calibration_length=256, texts=, layers=0, row_chunk=4096}) → info
///       layer-streamed: one block in memory at a time (Bind+CompressCheckpoint.swift)
extension EdgeLabBinding {
  public static let compress = EdgeLabBinding("compress") { m, _ in
    m.function("prune") { call in try CompressBinding.prune(call) }
    m.function("quantize") { call in try CompressBinding.quantize(call) }
    m.function("distill") { call in try CompressBinding.distill(call) }
    m.function("pipeline") { call in try CompressBinding.pipeline(call) }
    m.function("quantize_checkpoint") { call in try CompressBinding.quantizeCheckpoint(call) }
  }
}

// Numeric defaults come from the Compression module's own option types (one place); string-valued options are
// the Lua spellings of its enums.
private let pruneDefaults = PruneOptions(), pipelineDefaults = ECLDOptions(), quantDefaults = ModelQuantOptions()
private let distillDefaults = DistillOptions(), corpusDefaults = TeacherCorpusOptions()
struct CPruneOpts: Codable {
  var ffn_ratio = pruneDefaults.ffnRatio, head_ratio = pruneDefaults.headRatio, head_mode = "within_groups"
  var drop_layers = pruneDefaults.dropLayers, criterion = pruneDefaults.criterion.rawValue, multiple = pruneDefaults.multiple
  var recovery = "none", ridge = pipelineDefaults.refitRidge
  var calibration_windows = pipelineDefaults.calibrationWindows, calibration_length = pipelineDefaults.calibrationLength
  var texts: [String]? = nil
}
struct CQuantOpts: Codable {
  var type = "q4_0", method = "rtn", act_order = false, embedding_type = "q8_0", chunk_layers = quantDefaults.chunkLayers
  var calibration_windows = pipelineDefaults.calibrationWindows, calibration_length = pipelineDefaults.calibrationLength
  var texts: [String]? = nil
}
struct CDistillOpts: Codable {
  var steps = 100, batch_size = 2, lr = 1e-4, min_lr = 1e-5, warmup = 5, temperature = 2.0, alpha = 1.0, top_k = 64
  var clip = 1.0, weight_decay = 0.0, train_embedding = false, seed = 0, windows = 64, length = 128
  var checkpoint: String? = nil, checkpoint_every = 0, resume = false
  var source = distillDefaults.source.rawValue, sample_temperature = Double(corpusDefaults.temperature)
  var sample_top_k = corpusDefaults.topK, sample_top_p = Double(corpusDefaults.topP)
  var texts: [String]? = nil
}
// Nested option tables: every key optional (the decoder applies defaults only at the top level).
struct CPipeQuant: Codable {
  var type: String? = nil, method: String? = nil, act_order: Bool? = nil, embedding_type: String? = nil, chunk_layers: Int? = nil
}
struct CPipePrune: Codable {
  var ffn_ratio: Double? = nil, head_ratio: Double? = nil, head_mode: String? = nil, drop_layers: Int? = nil
  var criterion: String? = nil, multiple: Int? = nil
}
struct CPipeDistill: Codable {
  var steps: Int? = nil, batch_size: Int? = nil, lr: Double? = nil, min_lr: Double? = nil, warmup: Int? = nil
  var temperature: Double? = nil, alpha: Double? = nil, top_k: Int? = nil, clip: Double? = nil, weight_decay: Double? = nil
  var train_embedding: Bool? = nil, seed: Int? = nil
  var source: String? = nil, sample_temperature: Double? = nil, sample_top_k: Int? = nil, sample_top_p: Double? = nil
}
struct CPipeOpts: Codable {
  var prune: CPipePrune? = nil, recovery = "none", ridge = pipelineDefaults.refitRidge, distill: CPipeDistill? = nil, quantize: CPipeQuant? = nil
  var calibration_windows = pipelineDefaults.calibrationWindows, calibration_length = pipelineDefaults.calibrationLength
  var distill_windows = pipelineDefaults.distillWindows
  var texts: [String]? = nil
}

enum CompressBinding {
  static func texts(_ t: [String]?) throws -> [String] { try t ?? TextSplits.haluEval().calibration }

  static func pruneOptions(_ p: CPipePrune) throws -> PruneOptions {
    try ECLD.pruneOptions(ffnRatio: p.ffn_ratio ?? pruneDefaults.ffnRatio, headRatio: p.head_ratio ?? pruneDefaults.headRatio,
                          headMode: p.head_mode ?? "within_groups", dropLayers: p.drop_layers ?? pruneDefaults.dropLayers,
                          criterion: p.criterion ?? pruneDefaults.criterion.rawValue, multiple: p.multiple ?? pruneDefaults.multiple)
  }

  static func quantOptions(_ q: CPipeQuant) throws -> ModelQuantOptions {
    try ECLD.quantOptions(type: q.type ?? "q4_0", method: q.method ?? "rtn", actOrder: q.act_order ?? false,
                          embeddingType: q.embedding_type ?? "q8_0", chunkLayers: q.chunk_layers ?? quantDefaults.chunkLayers)
  }

  static func distillOptions(_ d: CPipeDistill) throws -> DistillOptions {
    var o = DistillOptions()
    if let s = d.source { o.source = try ECLD.distillSource(named: s) }
    o.corpus.temperature = d.sample_temperature.map(Float.init) ?? o.corpus.temperature
    o.corpus.topK = d.sample_top_k ?? o.corpus.topK; o.corpus.topP = d.sample_top_p.map(Float.init) ?? o.corpus.topP
    o.steps = d.steps ?? o.steps; o.batchSize = d.batch_size ?? o.batchSize
    o.learningRate = d.lr.map(Float.init) ?? o.learningRate; o.minLearningRate = d.min_lr.map(Float.init) ?? o.minLearningRate
    o.warmupSteps = d.warmup ?? o.warmupSteps; o.temperature = d.temperature.map(Float.init) ?? o.temperature
    o.alpha = d.alpha.map(Float.init) ?? o.alpha; o.topK = d.top_k ?? o.topK; o.clipNorm = d.clip.map(Float.init) ?? o.clipNorm
    o.weightDecay = d.weight_decay.map(Float.init) ?? o.weightDecay; o.trainEmbedding = d.train_embedding ?? o.trainEmbedding
    o.seed = UInt64(max(0, d.seed ?? 0))
    return o
  }

  static func push(_ call: LuaCall, _ m: LlamaModel, name: String, _ extra: [String: LuaValue]) -> Int32 {
    let q = m.layers.contains { $0.wq?.isQuantized == true || $0.down?.isQuantized == true }
    call.push(LLMBox(model: m, path: name, quantized: q), as: EdgeLabBinding.llmClass)
    let params = m.config.parameterCount(tiedOutput: m.output == nil)
    var t: [String: LuaValue] = ["params": .integer(params), "linear_params": .integer(Pruner.linearParameters(m)),
                                 "bytes": .integer(m.weightBytes), "bits_per_weight": .number(Double(m.weightBytes * 8) / Double(params)),
                                 "percent_of_f16": .number(100 * Double(m.weightBytes) / Double(2 * params)),
                                 "percent_of_f32": .number(100 * Double(m.weightBytes) / Double(4 * params)),
                                 "heads": EdgeLabBinding.ints(m.config.heads), "ffn": EdgeLabBinding.ints(m.config.ffn),
                                 "layers": .integer(m.config.layers)]
    for (k, v) in extra { t[k] = v }
    call.push(.table(t))
    return 2
  }

  /// What quantization wrote: types (tensor counts, all tensors), the linear layers' types, fallbacks
  /// ("q4_k->q5_0" = tensors whose rows the requested type cannot encode) and methods actually applied.
  static func quantInfo(_ q: QuantReport) -> [String: LuaValue] {
    func counts(_ d: [String: Int]) -> LuaValue { .table(d.mapValues { .integer($0) }) }
    return ["quant_bytes": .integer(q.totalBytes), "quant_bits_per_weight": .number(q.bitsPerWeight),
            "types": counts(q.typeCounts), "linear_types": .string(q.linearTypesLabel), "fallbacks": counts(q.fallbacks),
            "methods": counts(q.methodCounts), "variant": .string(q.variantLabel)]
  }

  static func wrap<T>(_ call: LuaCall, _ arg: Int32, _ f: () throws -> T) throws -> T {
    do { return try f() } catch let e as LuaBridgeError { throw e } catch { throw call.argumentError(arg, "\(error)") }
  }

  static func recovery(_ s: String, allowed: [Recovery]) throws -> Recovery {
    guard let r = Recovery(rawValue: s), allowed.contains(r) else {
      throw CompressionError.invalidOption("recovery must be \(allowed.map(\.rawValue).joined(separator: ", ")) (got '\(s)')")
    }
    return r
  }

  static func prune(_ call: LuaCall) throws -> Int32 {
    let box = try call.object(1, EdgeLabBinding.llmClass)
    let o = try call.decode(2, defaults: CPruneOpts())
    return try wrap(call, 2) {
      let po = try pruneOptions(CPipePrune(ffn_ratio: o.ffn_ratio, head_ratio: o.head_ratio, head_mode: o.head_mode,
                                           drop_layers: o.drop_layers, criterion: o.criterion, multiple: o.multiple))
      let r = try ECLD.prune(box.model, options: po, recovery: try recovery(o.recovery, allowed: [.none, .refit]), ridge: o.ridge,
                             calibration: try texts(o.texts), windows: o.calibration_windows, length: o.calibration_length)
      return push(call, r.model, name: box.path + "#pruned", ["seconds": .number(r.stageSeconds.reduce(0) { $0 + $1.1 })])
    }
  }

  static func quantize(_ call: LuaCall) throws -> Int32 {
    let box = try call.object(1, EdgeLabBinding.llmClass)
    let o = try call.decode(2, defaults: CQuantOpts())
    return try wrap(call, 2) {
      let qo = try quantOptions(CPipeQuant(type: o.type, method: o.method, act_order: o.act_order, embedding_type: o.embedding_type,
                                           chunk_layers: o.chunk_layers))
      let needsText: Bool = { if case .gptq = qo.method { return true } else { return false } }()
      let r = try ECLD.quantize(box.model, options: qo, calibration: needsText ? try texts(o.texts) : [],
                                windows: o.calibration_windows, length: o.calibration_length)
      var info: [String: LuaValue] = ["seconds": .number(r.stageSeconds.reduce(0) { $0 + $1.1 })]
      if let q = r.quantReport { for (k, v) in quantInfo(q) { info[k] = v } }
      return push(call, r.model, name: box.path + "#" + (r.quantReport?.variantLabel ?? "\(o.method)-\(o.type)"), info)
    }
  }

  static func distill(_ call: LuaCall) throws -> Int32 {
    let teacher = try call.object(1, EdgeLabBinding.llmClass), student = try call.object(2, EdgeLabBinding.llmClass)
    let o = try call.decode(3, defaults: CDistillOpts())
    return try wrap(call, 3) {
      var d = try distillOptions(CPipeDistill(steps: o.steps, batch_size: o.batch_size, lr: o.lr, min_lr: o.min_lr, warmup: o.warmup,
                                          temperature: o.temperature, alpha: o.alpha, top_k: o.top_k, clip: o.clip,
                                          weight_decay: o.weight_decay, train_embedding: o.train_embedding, seed: o.seed,
                                          source: o.source, sample_temperature: o.sample_temperature, sample_top_k: o.sample_top_k,
                                          sample_top_p: o.sample_top_p))
      d.checkpointPath = o.checkpoint; d.checkpointEvery = o.checkpoint_every
      let t0 = Date()
      let (m, dist) = try ECLD.distill(teacher: teacher.model, student: student.model, options: d,
                                       texts: d.source == .teacher ? [] : try texts(o.texts),
                                       windows: o.windows, length: o.length, resume: o.resume)
      let h = dist.history, tail = dist.cache.tailSummary
      return push(call, m, name: student.path + "#distilled", [
        "seconds": .number(Date().timeIntervalSince(t0)), "steps": .integer(dist.step),
        "kd": .array(h.map { .number($0.kd) }), "loss": .array(h.map { .number($0.loss) }),
        "tokens_per_s": .number(h.isEmpty ? 0 : h.map(\.tokensPerSecond).reduce(0, +) / Double(h.count)),
        "teacher_tail_mass": .number(tail.meanTailMass), "teacher_log_top_mass": .number(tail.meanLogTopMass)])
    }
  }

  static func pipeline(_ call: LuaCall) throws -> Int32 {
    let box = try call.object(1, EdgeLabBinding.llmClass)
    let o = try call.decode(2, defaults: CPipeOpts())
    return try wrap(call, 2) {
      let rec = try recovery(o.recovery, allowed: Recovery.allCases)
      let opts = ECLDOptions(prune: try o.prune.map(pruneOptions), recovery: rec, refitRidge: o.ridge,
                             distill: try distillOptions(o.distill ?? CPipeDistill()), quantize: try o.quantize.map(quantOptions),
                             calibrationWindows: o.calibration_windows, calibrationLength: o.calibration_length, distillWindows: o.distill_windows)
      let r = try ECLD.compress(box.model, calibration: texts(o.texts), options: opts)
      var stages: [String: LuaValue] = [:]
      for (k, v) in r.stageSeconds { stages[k] = .number(v) }
      var info: [String: LuaValue] = ["stage_seconds": .table(stages), "kd": .array(r.distillHistory.map { .number($0.kd) })]
      if let q = r.quantReport { for (k, v) in quantInfo(q) { info[k] = v } }
      return push(call, r.model, name: box.path + "#ecld" + (r.quantReport.map { "-" + $0.variantLabel } ?? ""), info)
    }
  }
}
