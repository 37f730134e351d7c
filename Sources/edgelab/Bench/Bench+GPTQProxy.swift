import CBLAS
import Compression
import Evaluation
import Foundation
import LLM
import TensorCore

/// `EDGELAB_ECLD_PARTS=gptq_proxy edgelab bench ecld`: GPTQ's layer objective on held-out inputs.
/// For every linear map of the (unquantized) base model, the output error on a Hessian H_test of held-out inputs,
///   e(W') = tr((W − W') H_test (W − W')ᵀ),
/// summed per input site over layers, for RTN and GPTQ (± act-order) calibrated on 16/64/256 windows
/// (EDGELAB_GPTQ_WINDOWS). GPTQ minimises e on H_cal; a sound GPTQ lowers it on H_test too, more so with more data.
enum GPTQProxyBench {
  static let sites: [(ActivationSite, [String])] = [(.attnInput, ["attn_q", "attn_k", "attn_v"]), (.attnOutput, ["attn_output"]),
                                                    (.ffnInput, ["ffn_gate", "ffn_up"]), (.ffnActivation, ["ffn_down"])]

  /// Hessians over the first n windows for each n in `snapshots` (one pass over the longest prefix); key
  /// (n, true) holds the Hessians without each window's first position.
  static func hessians(_ model: LlamaModel, _ windows: [[Int32]], snapshots: [Int]) throws -> [Int: [Bool: [[ActivationSite: GPTQHessian]]]] {
    let c = model.config
    let empty: [[ActivationSite: GPTQHessian]] = (0..<c.layers).map { l in
      [.attnInput: GPTQHessian(cols: c.dim), .attnOutput: GPTQHessian(cols: c.heads[l] * c.headDim),
       .ffnInput: GPTQHessian(cols: c.dim), .ffnActivation: GPTQHessian(cols: c.ffn[l])]
    }
    var h = empty, hs = empty
    var out: [Int: [Bool: [[ActivationSite: GPTQHessian]]]] = [:]
    var firstShare: [[ActivationSite: Double]] = Array(repeating: [:], count: c.layers)
    for (i, w) in windows.enumerated() {
      var cache = model.makeCache(reserve: w.count)
      _ = try model.forward(tokens: w, cache: &cache, lastOnly: true) { l, site, v, rows, _ in
        guard site != .blockOutput, rows > 1 else { return }
        let cols = v.count / rows
        h[l][site]!.add(v.baseAddress!, rows: rows)
        hs[l][site]!.add(v.baseAddress! + cols, rows: rows - 1)
        var first = 0.0, all = 0.0
        for j in 0..<cols { first += Double(v[j] * v[j]) }
        for j in 0..<(rows * cols) { all += Double(v[j] * v[j]) }
        firstShare[l][site, default: 0] += first / all
      }
      if snapshots.contains(i + 1) { out[i + 1] = [false: h, true: hs]; print("    hessians: \(i + 1) windows") }
    }
    for (s, _) in sites {
      let v = (0..<c.layers).map { firstShare[$0][s, default: 0] / Double(windows.count) }
      print(String(format: "    share of tr(H) from position 0, %@: mean %.3f max %.3f (layer %d)", s.rawValue,
                   v.reduce(0, +) / Double(v.count), v.max()!, v.firstIndex(of: v.max()!)!))
    }
    return out
  }

  static func hessians(_ model: LlamaModel, _ windows: [[Int32]]) throws -> [[ActivationSite: GPTQHessian]] {
    let c = model.config
    var h: [[ActivationSite: GPTQHessian]] = (0..<c.layers).map { l in
      [.attnInput: GPTQHessian(cols: c.dim), .attnOutput: GPTQHessian(cols: c.heads[l] * c.headDim),
       .ffnInput: GPTQHessian(cols: c.dim), .ffnActivation: GPTQHessian(cols: c.ffn[l])]
    }
    for w in windows {
      var cache = model.makeCache(reserve: w.count)
      _ = try model.forward(tokens: w, cache: &cache, lastOnly: true) { l, site, v, rows, _ in
        guard site != .blockOutput, rows > 0 else { return }
        h[l][site]!.add(v.baseAddress!, rows: rows)
      }
    }
    return h
  }

  static func weight(_ L: LlamaLayer, _ name: String) -> WeightMatrix? {
    switch name {
    case "attn_q": return L.wq
    case "attn_k": return L.wk
    case "attn_v": return L.wv
    case "attn_output": return L.wo
    case "ffn_gate": return L.gate
    case "ffn_up": return L.up
    default: return L.down
    }
  }

  /// tr(D H Dᵀ) for D rows × cols and symmetric H.
  static func error(_ D: [Float], rows: Int, cols: Int, _ H: [Float]) -> Double {
    var M = [Float](repeating: 0, count: rows * cols)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(cols), Int32(cols), 1, D, Int32(cols),
                H, Int32(cols), 0, &M, Int32(cols))
    var s = 0.0
    for i in 0..<(rows * cols) { s += Double(M[i]) * Double(D[i]) }
    return s
  }

  static func run(_ report: BenchReport, _ base: LlamaModel, _ splits: TextSplits) throws {
    let counts = (ProcessInfo.processInfo.environment["EDGELAB_GPTQ_WINDOWS"] ?? "16,64,256").split(separator: ",").compactMap { Int($0) }
    let testCount = ECLDBench.env("EDGELAB_GPTQ_TEST_WINDOWS", 32)
    let calAll = try Calibration.windows(model: base, texts: splits.calibration, length: 256, count: counts.max() ?? 16)
    let inDomain = try Calibration.windows(model: base, texts: splits.heldOut, length: 256, count: testCount)
    let other = try Calibration.windows(model: base, texts: try HaluEval.knowledgePassages(), length: 256, count: testCount)
    func toFloat(_ h: GPTQHessian) -> [Float] { h.matrix.map { Float($0) } }
    let tests: [(String, [[ActivationSite: [Float]]])] = try [("in_domain", inDomain), ("other_domain", other)].map { name, w in
      (name, try hessians(base, w).map { $0.mapValues(toFloat) })
    }
    let c = base.config
    let layerSet = (ProcessInfo.processInfo.environment["EDGELAB_GPTQ_LAYERS"].map { $0.split(separator: ",").compactMap { Int($0) } }
      ?? Array(0..<c.layers)).filter { $0 >= 0 && $0 < c.layers }
    let floats: [[String: [Float]]] = try base.layers.map { L in
      var d: [String: [Float]] = [:]
      for (_, names) in sites { for n in names { if let w = weight(L, n) { d[n] = try w.floats() } } }
      return d
    }
    // RTN errors once.
    var rtnErr: [String: [ActivationSite: Double]] = [:]
    var rtnQ: [[String: [Float]]] = []
    for l in 0..<c.layers {
      var d: [String: [Float]] = [:]
      for (_, names) in sites { for n in names { if let W = floats[l][n], let w = weight(base.layers[l], n) {
        d[n] = try RTN.quantize(W, rows: w.rows, cols: w.cols, type: .q4_0).dequantized()
      } } }
      rtnQ.append(d)
    }
    func siteErrors(_ q: [[String: [Float]]], _ H: [[ActivationSite: [Float]]]) -> [ActivationSite: Double] {
      var out: [ActivationSite: Double] = [:]
      for l in layerSet { for (s, names) in sites { for n in names {
        guard let W = floats[l][n], let Q = q[l][n], let w = weight(base.layers[l], n) else { continue }
        let D = zip(W, Q).map { $0 - $1 }
        out[s, default: 0] += error(D, rows: w.rows, cols: w.cols, H[l][s]!)
      } } }
      return out
    }
    for (name, H) in tests { rtnErr[name] = siteErrors(rtnQ, H) }
    let damps = (ProcessInfo.processInfo.environment["EDGELAB_GPTQ_DAMPS"] ?? "0.01").split(separator: ",").compactMap { Double($0) }
    let skips = ProcessInfo.processInfo.environment["EDGELAB_GPTQ_SKIP_FIRST"] == "1" ? [false, true] : [false]
    let snaps = try hessians(base, calAll, snapshots: counts)
    for skip in skips {
    for n in counts { for damp in damps {
      guard let hc = snaps[n]?[skip] else { continue }
      let calF = hc.map { $0.mapValues(toFloat) }
      let rtnCal = siteErrors(rtnQ, calF)
      for act in [false, true] {
        let cfg = GPTQConfig(dampPercent: damp, actOrder: act)
        var q: [[String: [Float]]] = []
        for l in 0..<c.layers {
          var d: [String: [Float]] = [:]
          for (s, names) in sites where layerSet.contains(l) {
            let f = try GPTQFactor(hessian: hc[l][s]!, config: cfg)
            for nm in names { if let W = floats[l][nm], let w = weight(base.layers[l], nm) {
              d[nm] = try GPTQ.quantize(W, rows: w.rows, cols: w.cols, type: .q4_0, factor: f, config: cfg).matrix.dequantized()
            } }
          }
          q.append(d)
        }
        let label = "gptq\(act ? "_actorder" : "")_w\(n)_damp\(damp)\(skip ? "_skipfirst" : "")"
        var line = "  \(label):"
        for (tn, H) in [("calibration", calF)] + tests {
          let e = siteErrors(q, H)
          let r = tn == "calibration" ? rtnCal : rtnErr[tn]!
          for (s, _) in sites {
            let ratio = e[s]! / r[s]!
            report.record("proxy_\(label)_\(tn)_\(s.rawValue)", ratio, unit: "× RTN")
            line += String(format: " %@/%@ %.3f", tn, s.rawValue, ratio)
          }
        }
        print(line)
      }
    } }
    }
  }
}
