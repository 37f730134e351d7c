// ECLD: the composed compression pipeline  prune → recover (refit | distill | both) → quantize.
// Every stage is optional, so the paper's baselines are option sets: quantization-only (prune = nil),
// pruning-only (quantize = nil, recovery = .none), and the full pipeline. All stages share one list of
// calibration windows (from calibration text, never the held-out split).
//   let r = try ECLD.compress(model, calibration: texts, options: .init(prune: .init(ffnRatio: 0.25, headRatio: 0.33),
//                             recovery: .refit, quantize: .init(method: .gptq(.init()))))
//   r.model, r.bytes, r.bitsPerWeight, r.parameters
import Foundation
import LLM

public enum Recovery: String, Codable, Sendable, CaseIterable { case none, refit, distill, refitDistill = "refit+distill" }

public struct ECLDOptions: Sendable {
  public var prune: PruneOptions?
  public var recovery: Recovery
  public var refitRidge: Double
  public var distill: DistillOptions
  public var quantize: ModelQuantOptions?
  /// Calibration windows: count × length tokens.
  public var calibrationWindows: Int
  public var calibrationLength: Int
  /// Distillation windows (count; same length): after the calibration windows in the text, or sampled from
  /// the teacher when `distill.source == .teacher`.
  public var distillWindows: Int
  public init(prune: PruneOptions? = nil, recovery: Recovery = .none, refitRidge: Double = 1e-3, distill: DistillOptions = DistillOptions(),
              quantize: ModelQuantOptions? = nil, calibrationWindows: Int = 32, calibrationLength: Int = 256, distillWindows: Int = 64) {
    self.prune = prune; self.recovery = recovery; self.refitRidge = refitRidge; self.distill = distill; self.quantize = quantize
    self.calibrationWindows = calibrationWindows; self.calibrationLength = calibrationLength; self.distillWindows = distillWindows
  }
}

public struct ECLDResult {
  public let model: LlamaModel
  public let plan: PrunePlan?
  /// Total parameters (embedding once when tied) and linear-layer parameters.
  public let parameters: Int
  public let linearParameters: Int
  /// Weight bytes as stored (quantized blocks, or F32 when not quantized).
  public let bytes: Int
  public var bitsPerWeight: Double { Double(bytes * 8) / Double(max(parameters, 1)) }
  public let quantReport: QuantReport?
  public let stageSeconds: [(String, Double)]
  public let distillHistory: [DistillStep]
}

public enum ECLD {
  public static func compress(_ model: LlamaModel, calibration texts: [String], options o: ECLDOptions,
                              progress: ((String, Int, Int) -> Void)? = nil) throws -> ECLDResult {
    var times: [(String, Double)] = []
    func timed<T>(_ name: String, _ f: () throws -> T) rethrows -> T {
      let t0 = Date(); let r = try f(); times.append((name, Date().timeIntervalSince(t0))); return r
    }
    let needDistill = o.prune != nil && (o.recovery == .distill || o.recovery == .refitDistill)
    var needWindows = 0
    if o.prune != nil || o.quantize.map({ if case .gptq = $0.method { return true } else { return false } }) == true { needWindows = o.calibrationWindows }
    let fromText = needDistill && o.distill.source == .calibration
    let all = needWindows == 0 && !fromText ? [] :
      try Calibration.windows(model: model, texts: texts, length: o.calibrationLength,
                              count: o.calibrationWindows + (fromText ? o.distillWindows : 0))
    let cal = Array(all.prefix(o.calibrationWindows))
    let dis = !needDistill ? [] : fromText ? Array(all.dropFirst(o.calibrationWindows))
      : try timed("teacher_corpus") { try teacherCorpus(model, options: o.distill, count: o.distillWindows, length: o.calibrationLength) }
    if needDistill && dis.isEmpty { throw CompressionError.invalidOption("calibration text too short for distillation windows") }
    var m = model, plan: PrunePlan? = nil, hist: [DistillStep] = []
    if let p = o.prune {
      // The data-free magnitude criterion needs no activations unless layers are dropped or the model is refit.
      let needStats = p.criterion != .magnitude || p.dropLayers > 0 || o.recovery != .none
      let stats = needStats
        ? try timed("calibrate") { try Calibration.collect(model: model, windows: cal) { progress?("calibrate", $0, $1) } }
        : nil
      plan = try Pruner.plan(model: model, stats: stats, options: p)
      m = try timed("prune") { try Pruner.apply(model: model, plan: plan!) }
      if o.recovery == .refit || o.recovery == .refitDistill {
        m = try timed("refit") { try Refit.apply(original: model, pruned: m, plan: plan!, windows: cal, ridge: o.refitRidge) { progress?("refit", $0, $1) } }
      }
      if needDistill {
        let d = try timed("teacher") { try Distiller(teacher: model, student: m, windows: dis, options: o.distill) { progress?("teacher", $0, $1) } }
        m = try timed("distill") { try d.run { progress?("distill", $0.step, o.distill.steps) } }
        hist = d.history
      }
    }
    var report: QuantReport? = nil
    if let q = o.quantize {
      let r = try timed("quantize") { try ModelQuantizer.quantize(m, options: q, windows: cal) { progress?("quantize", $1, $2) } }
      m = r.model; report = r.report
    }
    return ECLDResult(model: m, plan: plan, parameters: m.config.parameterCount(tiedOutput: m.output == nil),
                      linearParameters: Pruner.linearParameters(m), bytes: m.weightBytes, quantReport: report,
                      stageSeconds: times, distillHistory: hist)
  }
}
