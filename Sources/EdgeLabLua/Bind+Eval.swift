import CLua
import EdgeProfiles
import Evaluation
import Foundation
import LLM
import LuaBridge

/// A finished evaluation held by Lua (the full Swift results: per-item scores, intervals, measurements).
public final class EvalResultsBox {
  public let results: EvalResults
  public init(_ r: EvalResults) { results = r }
}

/// `edgelab.eval`: the four ECLD metrics, device profiles and model cards.
///   eval.suite{...} → suite table (SuiteConfig defaults + your keys; unknown keys are errors)
///   eval.run(model, suite[, {base=model, base_results=results, name=, storage_bytes=}]) → metrics table
///       (metrics.results is an edgelab.EvalResults: :report(), :card([name]), :save(dir[, name]) → eval_report.md, card.json, results.json; :json())
///       per-item vectors for paired comparisons: generalization.item_acc (pooled BIG-bench MC items, task order),
///       hallucination.halueval_qa_items / truthfulqa_items (1 = hallucinated / false answer preferred)
///   eval.divergence({model, ...}, reference[, {text="held_out"|"other_domain", context=256, tokens=4096, seed=1234,
///       resamples=1000}]) → array (models' order) of {kld={mean,lo,hi,n}, same_top_token=, perplexity=,
///       reference_perplexity=, tokens=, windows=, window_kld={...}, window_same_top_token={...}, window_nll={...},
///       reference_window_nll={...}}: one reference pass per window for all models (Perplexity.compare)
///   eval.card(model, results[, {name=, path=}]) → model card table (written as JSON when path is given)
///   eval.devices() → array of device profiles
///   eval.paper_cards{degradation = "assumed"|"measured"|path} → array of paper-scale cards (decision 0713)
///   eval.save_degradation(path, table) → writes a measured degradation table (validated) as JSON
///   eval.save_cards(path, cards) → writes cards (tables) as JSON;  eval.load_cards(path) → array of cards
///   eval.device_cost(card, device | device_name[, {query=, accessibility=, analytic=}]) → { joules, seconds,
///       prefill_seconds, decode_seconds, required_bytes, usable_bytes, fits, decode_tokens_per_second, accessible }
extension EdgeLabBinding {
  public static let eval = EdgeLabBinding("eval") { m, session in
    m.function("suite") { call in
      let cfg = try call.decode(1, defaults: SuiteConfig())
      try cfg.validate()
      try call.push(encoding: cfg)
      return 1
    }
    m.function("run") { call in try EvalBinding.run(call, dataDir: session.dataDir) }
    m.function("divergence") { call in try EvalBinding.divergence(call, dataDir: session.dataDir) }
    m.function("card") { call in
      let model = try call.object(1, llmClass).model
      let r = try call.object(2, EvalBinding.resultsClass)
      // The card describes the measured model: refuse results that were measured on another one.
      let params = model.config.parameterCount(tiedOutput: model.output == nil)
      guard Double(params) == r.results.footprint.params else {
        throw call.argumentError(2, "results were measured on a model with \(Int(r.results.footprint.params)) parameters, "
                                 + "but this model has \(params)")
      }
      let o = try call.decode(3, defaults: EvalCardOptions())
      let card = try r.results.card(name: o.name)
      if let p = o.path { try ModelCard.save([card], path: p) }
      try call.push(encoding: card)
      return 1
    }
    m.function("devices") { call in try call.push(encoding: DeviceProfile.builtIn); return 1 }
    m.function("paper_cards") { call in
      let o = try call.decode(1, defaults: PaperCardsOptions())
      try call.push(encoding: try ModelCard.paperScale(rule: DegradationRule.named(o.degradation)))
      return 1
    }
    m.function("save_degradation") { call in
      let path = try call.string(1)
      let table = try call.decode(MeasuredDegradation.self, 2)
      try table.save(path: path)
      return 0
    }
    m.function("device_cost") { call in
      let card = try call.decode(ModelCard.self, 1)
      let device: DeviceProfile
      if case .string(let name) = try call.value(2) {
        guard let d = DeviceProfile.builtIn.first(where: { $0.name == name }) else {
          throw call.argumentError(2, "unknown device '\(name)' (eval.devices() lists them)")
        }
        device = d
      } else {
        device = try call.decode(DeviceProfile.self, 2)
      }
      let o = try call.decode(3, defaults: DeviceCostOptions())
      try call.push(encoding: try AnalyticModel.deviceCost(card: card, device: device, options: o))
      return 1
    }
    m.function("load_cards") { call in try call.push(encoding: try ModelCard.load(path: try call.string(1))); return 1 }
    m.function("save_cards") { call in
      let path = try call.string(1)
      let cards = try call.decode([ModelCard].self, 2)
      for c in cards { try c.validate() }
      try ModelCard.save(cards, path: path)
      return 0
    }
  }
}

struct EvalCardOptions: Codable { var name: String? = nil; var path: String? = nil }

enum EvalBinding {
  static let runOptionKeys: Set<String> = ["base", "base_results", "name", "storage_bytes"]

  static let resultsClass: LuaClass<EvalResultsBox> = LuaClass<EvalResultsBox>("edgelab.EvalResults")
    .method("report") { call, b in call.push(b.results.report()); return 1 }
    .method("card") { call, b in
      try call.push(encoding: try b.results.card(name: call.isNoneOrNil(2) ? nil : try call.string(2)))
      return 1
    }
    .method("json") { call, b in
      call.push(String(decoding: try ModelCard.encodeJSON(b.results), as: UTF8.self))
      return 1
    }
    .method("save") { call, b in
      let dir = try call.string(2)
      let name = call.isNoneOrNil(3) ? nil : try call.string(3)
      try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
      try b.results.report().write(toFile: dir + "/eval_report.md", atomically: true, encoding: .utf8)
      try ModelCard.save([try b.results.card(name: name)], path: dir + "/card.json")
      try ModelCard.encodeJSON(b.results).write(to: URL(fileURLWithPath: dir + "/results.json"), options: .atomic)
      return 0
    }
    .tostring { b in "edgelab.EvalResults(\(b.results.model))" }

  /// The userdata of class `cls` in field `key` of the options table at `i` (nil when absent).
  static func field<T>(_ call: LuaCall, _ i: Int32, _ key: String, _ cls: LuaClass<T>) throws -> T? {
    let L = call.L
    lua_checkstack(L, 2)
    lua_getfield(L, i, key)
    defer { edgelab_pop(L, 1) }
    if lua_type(L, -1) == LUA_TNIL { return nil }
    guard let o = cls.object(L, at: -1) else {
      throw call.argumentError(i, "option '\(key)' must be an \(cls.name), got \(call.typeName(-1))")
    }
    return o
  }

  static func run(_ call: LuaCall, dataDir: String) throws -> Int32 {
    let box = try call.object(1, EdgeLabBinding.llmClass)
    var cfg = try call.decode(2, defaults: SuiteConfig())
    if cfg.dataDir == nil { cfg.dataDir = dataDir }
    do { try cfg.validate() } catch { throw call.argumentError(2, "\(error)") }
    var baseModel: LLMBox? = nil, baseResults: EvalResultsBox? = nil
    var name = URL(fileURLWithPath: box.path).deletingPathExtension().lastPathComponent
    var storage: Double? = nil
    if !call.isNoneOrNil(3) {
      guard case .table(let t) = try call.value(3) else { throw call.typeError(3, expected: "options table") }
      for k in t.keys where !runOptionKeys.contains(k) {
        throw call.argumentError(3, "unknown option '\(k)' (valid: \(runOptionKeys.sorted().joined(separator: ", ")))")
      }
      baseModel = try field(call, 3, "base", EdgeLabBinding.llmClass)
      baseResults = try field(call, 3, "base_results", resultsClass)
      if case .string(let s)? = t["name"] { name = s } else if t["name"] != nil { throw call.argumentError(3, "option 'name' must be a string") }
      switch t["storage_bytes"] {
      case .integer(let v)?: storage = Double(v)
      case .number(let v)?: storage = v
      case nil: break
      default: throw call.argumentError(3, "option 'storage_bytes' must be a number")
      }
    }
    let model = LlamaScoringModel(box.model, name: name, storageBytes: storage ?? deployedBytes(box))
    var base: BaseReference? = nil
    if baseModel != nil || baseResults != nil {
      let bm = baseModel.map { LlamaScoringModel($0.model, name: URL(fileURLWithPath: $0.path).deletingPathExtension().lastPathComponent) }
      base = BaseReference(model: bm, results: baseResults?.results)
    }
    let r = try Suite.run(model: model, footprint: model.footprint, config: cfg, base: base)
    call.push(metrics(r))
    lua_checkstack(call.L, 2)
    call.push(EvalResultsBox(r), as: resultsClass)
    lua_setfield(call.L, -2, "results")
    return 1
  }

  static func divergence(_ call: LuaCall, dataDir: String) throws -> Int32 {
    guard lua_type(call.L, 1) == LUA_TTABLE else { throw call.typeError(1, expected: "array of edgelab.LLM models") }
    var models: [LLMBox] = []
    let count = Int(lua_rawlen(call.L, 1))
    lua_checkstack(call.L, 2)
    for i in stride(from: 1, through: count, by: 1) {
      lua_rawgeti(call.L, 1, lua_Integer(i))
      defer { edgelab_pop(call.L, 1) }
      guard let b = EdgeLabBinding.llmClass.object(call.L, at: -1) else {
        throw call.argumentError(1, "models[\(i)] must be an edgelab.LLM, got \(call.typeName(-1))")
      }
      models.append(b)
    }
    guard !models.isEmpty else { throw call.argumentError(1, "needs at least one model") }
    let reference = try call.object(2, EdgeLabBinding.llmClass)
    let cfg = try call.decode(3, defaults: DivergenceConfig())
    do { try cfg.validate() } catch { throw call.argumentError(3, "\(error)") }
    let results: [DivergenceResult]
    do {
      results = try Perplexity.compare(models: models.map { LlamaScoringModel($0.model, name: $0.path) },
                                       reference: LlamaScoringModel(reference.model, name: reference.path),
                                       texts: try cfg.texts(files: DataFiles(root: dataDir)), context: cfg.context,
                                       maxTokens: cfg.tokens, seed: cfg.seed, resamples: cfg.resamples)
    } catch let e as LuaBridgeError { throw e } catch { throw call.argumentError(3, "\(error)") }
    func numbers(_ x: [Double]?) -> LuaValue { .array((x ?? []).map { .number($0) }) }
    call.push(.array(results.map { d in
      .table(["kld": est(d.kld), "same_top_token": .number(d.sameTopToken), "perplexity": .number(d.model.perplexity),
              "reference_perplexity": .number(d.reference.perplexity), "tokens": .integer(d.model.scoredTokens),
              "windows": .integer(d.model.windows), "context": .integer(d.model.context),
              "window_kld": numbers(d.windowKLD), "window_same_top_token": numbers(d.windowSameTopToken),
              "window_nll": numbers(d.windowNLL), "reference_window_nll": numbers(d.referenceWindowNLL)])
    }))
    return 1
  }

  /// Deployed size: the kept-quantized weights, or the GGUF tensor bytes of the file the model came from.
  static func deployedBytes(_ b: LLMBox) -> Double? {
    if b.quantized { return Double(b.model.weightBytes) }
    if b.path.hasSuffix(".gguf") { return try? LlamaScoringModel.ggufTensorBytes(path: b.path) }
    return nil
  }

  static func est(_ e: Estimate) -> LuaValue {
    .table(["mean": .number(e.mean), "lo": .number(e.lo), "hi": .number(e.hi), "n": .integer(e.n)])
  }

  static func metrics(_ r: EvalResults) -> LuaValue {
    var out: [String: LuaValue] = ["model": .string(r.model), "wall_seconds": .number(r.wallSeconds),
                                   "metrics": .array(r.config.metrics.map { .string($0) })]
    if let g = r.generalization { out["generalization"] = generalization(g) }
    if let h = r.hallucination { out["hallucination"] = hallucination(h) }
    if let e = r.energy { out["energy"] = energy(e) }
    if let a = r.accessibility {
      var acc: [String: LuaValue] = [:]
      for d in a.perDevice {
        acc[d.device] = .table(["fits": .boolean(d.fits), "accessible": .boolean(d.accessible),
                                "decode_tok_s": .number(d.decodeTokensPerSecond), "required_mb": .number(d.requiredBytes / 1e6)])
      }
      out["accessibility"] = .table(["population_fraction": .number(a.populationFraction), "devices": .table(acc)])
    }
    return .table(out)
  }

  static func generalization(_ g: GeneralizationMetric) -> LuaValue {
    var tasks: [String: LuaValue] = [:]
    for t in g.tasks {
      var row: [String: LuaValue] = ["acc": est(t.acc), "acc_norm": est(t.accNorm), "chance": .number(t.chance),
                                     "kind": .string(t.kind.rawValue)]
      if let gens = t.generations {
        row["exact_match"] = est(t.acc); row["normalized_match"] = est(t.accNorm)
        row["answers"] = .array(gens.map { .string($0.answer) })
      }
      tasks[t.name] = .table(row)
    }
    var gen: [String: LuaValue] = ["acc": est(g.acc), "acc_norm": est(g.accNorm), "tasks": .table(tasks),
                                   "perplexity": .number(g.perplexity.perplexity),
                                   "perplexity_context": .integer(g.perplexity.context)]
    if let d = g.divergence { gen["kld"] = est(d.kld); gen["same_top_token"] = .number(d.sameTopToken) }
    if let f = g.flipRateVsBase { gen["flip_rate"] = .number(f) }
    gen["item_acc"] = .array(g.tasks.flatMap(\.items).map { .number($0.acc) })
    return .table(gen)
  }

  static func hallucination(_ h: HallucinationMetric) -> LuaValue {
    var hal: [String: LuaValue] = ["halueval_qa": est(h.haluEvalQA), "halueval_qa_raw": est(h.haluEvalQARaw),
                                   "halueval_qa_mi": est(h.haluEvalQAMI),
                                   "truthfulqa": est(h.truthfulQA), "mc1": est(h.truthfulQAMC1), "mc2": est(h.truthfulQAMC2)]
    if let f = h.flipRateVsBase { hal["flip_rate"] = .number(f) }
    if let d = h.haluEvalDeltaVsBase { hal["delta_halueval_qa"] = est(d) }
    if let d = h.truthfulQADeltaVsBase { hal["delta_truthfulqa"] = est(d) }
    hal["halueval_qa_items"] = .array(h.haluEvalItems.map { .number(1 - $0.accNorm) })
    hal["truthfulqa_items"] = .array(h.truthfulQAItems.map { .number(1 - $0.acc) })
    return .table(hal)
  }

  static func energy(_ e: EnergyMetric) -> LuaValue {
    var devs: [String: LuaValue] = [:]
    for (k, c) in e.perDevice {
      devs[k] = .table(["joules": .number(c.totalJoules), "seconds": .number(c.totalSeconds),
                        "prefill_s": .number(c.prefillSeconds), "decode_s": .number(c.decodeSeconds)])
    }
    var energy: [String: LuaValue] = ["devices": .table(devs),
                                      "query": .table(["prompt": .integer(e.query.promptTokens),
                                                       "output": .integer(e.query.outputTokens)])]
    if let host = e.host {
      var t: [String: LuaValue] = ["joules": .number(host.cpuTimeJoules), "cpu_seconds": .number(host.cpuSeconds),
                                   "wall_seconds": .number(host.wallSeconds), "decode_tok_s": .number(host.decodeTokensPerSecond)]
      if let j = host.raplJoules { t["rapl_joules"] = .number(j) }
      energy["host"] = .table(t)
    }
    return .table(energy)
  }
}

/// Options of `eval.paper_cards`: the degradation rule by name (decision 0713).
struct PaperCardsOptions: Codable { var degradation = DegradationRule.defaultName }
