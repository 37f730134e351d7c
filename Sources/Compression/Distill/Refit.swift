// Training-free layer-wise least-squares refit after pruning (FLAP's bias compensation, generalised).
// For a pruned output projection W [out × cols] keeping input columns K, find W' [out × |K|] minimising
//   Σ_t ‖W x_t − W' x_{t,K}‖² + λ‖W'‖²        over calibration activations x_t of the UNPRUNED model.
// With G = Σ x xᵀ (the Gram of the full input, accumulated by ssyrk), the normal equations are
//   (G_KK + λI) W'ᵀ = G_K: Wᵀ,   λ = ridge · mean(diag G_KK),
// solved by Cholesky (Linalg.choleskyLower) and two triangular solves (BLAS dtrsm). Refit targets are
// attn_output (input = concatenated head outputs) and ffn_down (input = silu(gate)·up) of every kept layer
// whose heads / channels were pruned. The removed channels' mean contribution is absorbed into the kept
// columns as far as it is linearly predictable from them (there is no bias in Llama to hold a constant).
import CBLAS
import Foundation
import LLM

public enum Refit {
  /// Solve min ‖W x − W' x_K‖² + λ‖W'‖² given the (symmetric, row-major) Gram G [cols × cols] of x.
  public static func solve(W: [Float], rows: Int, cols: Int, gram G: [Double], keep K: [Int], ridge: Double) throws -> [Float] {
    let k = K.count
    guard W.count == rows * cols, G.count == cols * cols, k > 0, K.allSatisfy({ (0..<cols).contains($0) }) else {
      throw CompressionError.shape("refit: W \(W.count) for \(rows)×\(cols), Gram \(G.count), \(k) kept columns")
    }
    var A = [Double](repeating: 0, count: k * k)
    var meanDiag = 0.0
    for (i, a) in K.enumerated() {
      for (j, b) in K.enumerated() { A[i * k + j] = G[a * cols + b] }
      meanDiag += G[a * cols + a]
    }
    meanDiag /= Double(k)
    let lam = max(ridge * meanDiag, 1e-12)
    for i in 0..<k { A[i * k + i] += lam }
    // B = G_K: · Wᵀ   [k × rows]
    var GK = [Double](repeating: 0, count: k * cols)
    for (i, a) in K.enumerated() { for j in 0..<cols { GK[i * cols + j] = G[a * cols + j] } }
    let Wd = W.map(Double.init)
    var B = [Double](repeating: 0, count: k * rows)
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(k), Int32(rows), Int32(cols), 1, GK, Int32(cols),
                Wd, Int32(cols), 0, &B, Int32(rows))
    try Linalg.choleskyLower(&A, n: k)          // A = L Lᵀ (lower triangle valid)
    cblas_dtrsm(CblasRowMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, Int32(k), Int32(rows), 1, A, Int32(k), &B, Int32(rows))
    cblas_dtrsm(CblasRowMajor, CblasLeft, CblasLower, CblasTrans, CblasNonUnit, Int32(k), Int32(rows), 1, A, Int32(k), &B, Int32(rows))
    // B = W'ᵀ [k × rows] → W' [rows × k]
    var out = [Float](repeating: 0, count: rows * k)
    for i in 0..<k { for r in 0..<rows { out[r * k + i] = Float(B[i * rows + r]) } }
    return out
  }

  /// Re-solve attn_output (from `attnGram`, the Gram of the unpruned head outputs) and ffn_down (from `ffnGram`) of
  /// one pruned layer against its unpruned `original`; a nil Gram leaves that projection as pruned.
  public static func refitLayer(_ layer: inout LlamaLayer, original L: LlamaLayer, keepHeads: [Int], keepFFN: [Int], headDim hd: Int,
                                attnGram: GPTQHessian?, ffnGram: GPTQHessian?, ridge: Double) throws {
    if let g = attnGram, let wo = L.wo {
      let K = keepHeads.flatMap { h in (h * hd)..<((h + 1) * hd) }
      let v = try solve(W: try wo.floats(), rows: wo.rows, cols: wo.cols, gram: g.matrix, keep: K, ridge: ridge)
      layer.wo = WeightMatrix(rows: wo.rows, cols: K.count, values: v)
    }
    if let g = ffnGram, let down = L.down {
      let v = try solve(W: try down.floats(), rows: down.rows, cols: down.cols, gram: g.matrix, keep: keepFFN, ridge: ridge)
      layer.down = WeightMatrix(rows: down.rows, cols: keepFFN.count, values: v)
    }
  }

  /// Refit attn_output / ffn_down of `pruned` (= Pruner.apply(original, plan)) on `windows`.
  public static func apply(original: LlamaModel, pruned: LlamaModel, plan: PrunePlan, windows: [[Int32]], ridge: Double = 1e-3,
                           progress: ((Int, Int) -> Void)? = nil) throws -> LlamaModel {
    let c = original.config, hd = c.headDim
    guard ridge >= 0 else { throw CompressionError.invalidOption("ridge must be ≥ 0") }
    guard pruned.config.layers == plan.keepLayers.count else { throw CompressionError.shape("pruned model does not match the plan") }
    var attnG: [Int: GPTQHessian] = [:], ffnG: [Int: GPTQHessian] = [:]
    for l in plan.keepLayers {
      if plan.keepHeads[l].count < c.heads[l] { attnG[l] = GPTQHessian(cols: c.heads[l] * hd) }
      if plan.keepFFN[l].count < c.ffn[l] { ffnG[l] = GPTQHessian(cols: c.ffn[l]) }
    }
    if attnG.isEmpty && ffnG.isEmpty { return pruned }
    for (i, w) in windows.enumerated() {
      var cache = original.makeCache(reserve: w.count)
      _ = try original.forward(tokens: w, cache: &cache, lastOnly: true) { l, site, v, rows, _ in
        if site == .attnOutput, attnG[l] != nil { attnG[l]!.add(v.baseAddress!, rows: rows) }
        if site == .ffnActivation, ffnG[l] != nil { ffnG[l]!.add(v.baseAddress!, rows: rows) }
      }
      progress?(i + 1, windows.count)
    }
    var layers = pruned.layers
    for (j, l) in plan.keepLayers.enumerated() {
      try refitLayer(&layers[j], original: original.layers[l], keepHeads: plan.keepHeads[l], keepFFN: plan.keepFFN[l],
                     headDim: hd, attnGram: attnG[l], ffnGram: ffnG[l], ridge: ridge)
    }
    let m = try LlamaModel(config: pruned.config, tokenizer: pruned.tokenizer, embedding: pruned.embedding, layers: layers,
                           outputNorm: pruned.outputNorm, output: pruned.output)
    m.sourceMetadata = pruned.sourceMetadata
    return m
  }
}
