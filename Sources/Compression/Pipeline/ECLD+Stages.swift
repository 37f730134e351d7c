// The single stages of the ECLD pipeline as researchers call them one at a time (the Lua face's compress.prune,
// compress.quantize, compress.distill): prune and quantize run through `ECLD.compress` with the other stages off,
// so a stage alone and the same stage inside the pipeline are the same computation; distillation between a
// given teacher and student (with checkpoint/resume) is `ECLD.distill`. Option spellings shared by every entry
// point (ggml type names, methods, criteria) are parsed here once.
import Foundation
import LLM

extension ECLD {
  /// The ggml types EdgeLab can write, by lowercase name, in size order (f32 … q2_k).
  public static let writableTypeNames: [String] = GGMLCodec.quantizable
    .sorted { ($0.bitsPerWeight, $0.description) > ($1.bitsPerWeight, $1.description) }
    .map { $0.description.lowercased() }

  /// A writable ggml type by its lowercase name (q8_0, q6_k, q5_k, q5_1, q5_0, q4_1, q4_k, q4_0, q3_k, q2_k, f16, …).
  public static func ggmlType(named s: String) throws -> GGMLType {
    guard let t = GGMLType.allCases.first(where: { $0.description.lowercased() == s.lowercased() }),
          GGMLCodec.quantizable.contains(t) else {
      throw CompressionError.invalidOption("unknown or unwritable ggml type '\(s)' (allowed: \(writableTypeNames.joined(separator: ", ")))")
    }
    return t
  }

  /// The distillation data source by its option spelling ("calibration" | "teacher").
  public static func distillSource(named s: String) throws -> DistillSource {
    guard let src = DistillSource(rawValue: s) else {
      throw CompressionError.invalidOption("source must be \(DistillSource.allCases.map(\.rawValue).joined(separator: " or ")) (got '\(s)')")
    }
    return src
  }

  /// Pruning options from their option spellings (`head_mode` "within_groups" | "kv_groups").
  public static func pruneOptions(ffnRatio: Double, headRatio: Double, headMode: String, dropLayers: Int,
                                  criterion: String, multiple: Int) throws -> PruneOptions {
    guard let c = PruneCriterion(rawValue: criterion) else {
      throw CompressionError.invalidOption("criterion must be activation, flap or magnitude (got '\(criterion)')")
    }
    let mode: HeadPruneMode
    switch headMode {
    case "within_groups": mode = .withinGroups
    case "kv_groups": mode = .kvGroups
    default: throw CompressionError.invalidOption("head_mode must be within_groups or kv_groups (got '\(headMode)')")
    }
    return PruneOptions(ffnRatio: ffnRatio, headRatio: headRatio, headMode: mode, dropLayers: dropLayers,
                        criterion: c, multiple: multiple)
  }

  /// Whole-model quantization options: linear weights at `type`, token embedding / output head at `embeddingType`.
  public static func quantOptions(type: String, method: String, actOrder: Bool, embeddingType: String,
                                  chunkLayers: Int) throws -> ModelQuantOptions {
    let rules = try PrecisionRules([PrecisionRule(#"^(token_embd|output)\.weight$"#, try ggmlType(named: embeddingType))],
                                   default: try ggmlType(named: type))
    let m: QuantMethod
    switch method {
    case "rtn": m = .rtn
    case "gptq": m = .gptq(GPTQConfig(actOrder: actOrder))
    default: throw CompressionError.invalidOption("method must be rtn or gptq (got '\(method)')")
    }
    return ModelQuantOptions(rules: rules, method: m, chunkLayers: chunkLayers)
  }

  /// Pruning alone, optionally followed by the least-squares refit (`recovery` .none or .refit).
  public static func prune(_ model: LlamaModel, options: PruneOptions, recovery: Recovery, ridge: Double,
                           calibration texts: [String], windows: Int, length: Int) throws -> ECLDResult {
    guard recovery == .none || recovery == .refit else {
      throw CompressionError.invalidOption("recovery must be none or refit (got '\(recovery.rawValue)'); distillation is compress.distill")
    }
    return try compress(model, calibration: texts,
                        options: ECLDOptions(prune: options, recovery: recovery, refitRidge: ridge,
                                             calibrationWindows: windows, calibrationLength: length))
  }

  /// Quantization alone (calibration windows are read only for GPTQ).
  public static func quantize(_ model: LlamaModel, options: ModelQuantOptions, calibration texts: [String],
                              windows: Int, length: Int) throws -> ECLDResult {
    try compress(model, calibration: texts,
                 options: ECLDOptions(quantize: options, calibrationWindows: windows, calibrationLength: length))
  }

  /// `count` windows of `length` tokens sampled from `teacher` (cached; `options.corpus` sampler, `options.seed`).
  public static func teacherCorpus(_ teacher: LlamaModel, options: DistillOptions, count: Int, length: Int) throws -> [[Int32]] {
    var c = options.corpus
    c.windows = count; c.length = length; c.seed = options.seed
    return try TeacherCorpus.load(teacher: teacher, options: c).windows
  }

  /// Logit distillation of `student` from `teacher` on `windows` × `length` tokens of `texts` (or of the
  /// teacher corpus when `options.source == .teacher`; `texts` is then unused); resumes from
  /// `options.checkpointPath` first when `resume` is set and the file exists.
  public static func distill(teacher: LlamaModel, student: LlamaModel, options: DistillOptions, texts: [String],
                             windows: Int, length: Int, resume: Bool) throws -> (model: LlamaModel, distiller: Distiller) {
    let w = options.source == .teacher ? try teacherCorpus(teacher, options: options, count: windows, length: length)
      : try Calibration.windows(model: teacher, texts: texts, length: length, count: windows)
    let d = try Distiller(teacher: teacher, student: student, windows: w, options: options)
    if resume, let p = options.checkpointPath, FileManager.default.fileExists(atPath: p) { try d.loadCheckpoint(p) }
    return (try d.run(), d)
  }
}
