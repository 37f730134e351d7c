// Batched forward pass with a KV cache. All n new positions go through each layer at once. Everything parallel runs on
// one thread pool (CQuantKernels' qk_parallel_for; OpenBLAS is kept single-threaded inside the regions) and every
// output is computed by one thread in a fixed order, so logits do not depend on the thread count (LLMThreads):
//   - projections: q/k/v and gate/up are grouped (one region each); dense weights and batches of ≥ 8 rows are fixed
//     96-row chunks of single-threaded sgemm/sgemv (ParallelGemm; kept-quantized chunks are dequantized per task),
//     kept-quantized weights with fewer rows use the int8 C kernels (QuantizedMatrix+CKernels);
//   - attention: prefill runs one task per (head, 128-row tile) with two sgemms each; decoding runs the C kernel
//     qk_decode_attention over heads;
//   - RMSNorm, RoPE (cos/sin table computed once per forward) and SwiGLU run over rows.
import CBLAS
import CQuantKernels

/// Where an activation hook is called inside block `layer` (values are [rows × cols] row-major, rows = the
/// positions of this forward call). These are exactly the inputs of the block's linear maps — what pruning
/// importance (activation norms), GPTQ Hessians and least-squares refits need.
public enum ActivationSite: String, Sendable, CaseIterable {
  /// RMS-normed hidden state entering attn_q/k/v [n × dim].
  case attnInput
  /// Concatenated head outputs entering attn_output [n × heads·headDim].
  case attnOutput
  /// RMS-normed hidden state entering ffn_gate/up [n × dim].
  case ffnInput
  /// silu(gate)·up entering ffn_down [n × ffn].
  case ffnActivation
  /// Residual stream after the block [n × dim] (Block Influence compares it with the block's input).
  case blockOutput
}

public typealias ActivationHook = (_ layer: Int, _ site: ActivationSite, _ values: UnsafeBufferPointer<Float>, _ rows: Int, _ cols: Int) -> Void

extension LlamaModel {
  /// Run `tokens` at positions cache.count ..< cache.count+n, append their keys/values to `cache`, and return
  /// logits: [n × vocab] row-major, or only the last row when `lastOnly`.
  public func forward(tokens: [Int32], cache: inout KVCache, lastOnly: Bool = false, hook: ActivationHook? = nil) throws -> [Float] {
    let c = config, n = tokens.count, d = c.dim
    guard n > 0 else { throw LlamaError.emptyInput }
    guard cache.widths.count == c.layers, cache.widths == (0..<c.layers).map({ c.kvHeads[$0] * c.headDim }) else {
      throw LlamaError.cacheMismatch("layer widths \(cache.widths.prefix(3))… differ")
    }
    for t in tokens where t < 0 || Int(t) >= c.vocabSize { throw LlamaError.tokenOutOfRange(t, vocab: c.vocabSize) }
    let pos0 = cache.count
    guard pos0 + n <= c.contextLength else { throw LlamaError.contextOverflow(pos0 + n, max: c.contextLength) }
    var x = [Float](repeating: 0, count: n * d)
    try x.withUnsafeMutableBufferPointer { xb in
      for (i, t) in tokens.enumerated() { try embedding.row(Int(t), into: xb.baseAddress! + i * d) }
    }
    var h = [Float](repeating: 0, count: n * d)
    let rope = RoPETable(pos0: pos0, n: n, ropeDim: c.ropeDim, theta: c.ropeTheta, factors: c.ropeFrequencyFactors)
    let scratch = ForwardScratch(config: c, n: n)
    for l in 0..<c.layers {
      try attentionBlock(l, &x, &h, n: n, pos0: pos0, rope: rope, scratch: scratch, cache: &cache, hook: hook)
      try ffnBlock(l, &x, &h, n: n, scratch: scratch, hook: hook)
      if let hook { x.withUnsafeBufferPointer { hook(l, .blockOutput, $0, n, d) } }
    }
    cache.count = pos0 + n
    let rowsOut = lastOnly ? 1 : n
    let first = n - rowsOut
    var logits = [Float](repeating: 0, count: rowsOut * c.vocabSize)
    try x.withUnsafeBufferPointer { xb in
      try h.withUnsafeMutableBufferPointer { hb in
        Kernels.rmsNorm(xb.baseAddress! + first * d, outputNorm, n: rowsOut, d: d, eps: c.rmsEps, into: hb.baseAddress!)
        try logits.withUnsafeMutableBufferPointer { try outputMatrix.apply(hb.baseAddress!, n: rowsOut, into: $0.baseAddress!) }
      }
    }
    return logits
  }

  /// Run blocks `layers` on the hidden states `x` [n × dim] of positions 0..<n (a fresh sequence), in place —
  /// exactly what `forward` does for those blocks (same kernels, same order). Layer-wise algorithms (sequential
  /// GPTQ) keep the hidden states of their calibration windows and advance them block by block.
  public func forwardBlocks(_ layers: Range<Int>, hidden x: inout [Float], n: Int, hook: ActivationHook? = nil) throws {
    let c = config
    guard n > 0, x.count == n * c.dim, layers.lowerBound >= 0, layers.upperBound <= c.layers, n <= c.contextLength else {
      throw LlamaError.cacheMismatch("forwardBlocks: \(x.count) hidden values for \(n) positions × \(c.dim), layers \(layers)")
    }
    var cache = makeCache(reserve: n)
    var h = [Float](repeating: 0, count: n * c.dim)
    let rope = RoPETable(pos0: 0, n: n, ropeDim: c.ropeDim, theta: c.ropeTheta, factors: c.ropeFrequencyFactors)
    let scratch = ForwardScratch(config: c, n: n)
    for l in layers {
      try attentionBlock(l, &x, &h, n: n, pos0: 0, rope: rope, scratch: scratch, cache: &cache, hook: hook)
      try ffnBlock(l, &x, &h, n: n, scratch: scratch, hook: hook)
      if let hook { x.withUnsafeBufferPointer { hook(l, .blockOutput, $0, n, c.dim) } }
    }
  }

  /// The token embeddings of `tokens` [n × dim] (the hidden state entering block 0).
  public func embed(_ tokens: [Int32]) throws -> [Float] { try Self.embed(tokens, embedding: embedding) }

  /// The same from an embedding matrix alone [vocab × dim] (layer-streamed pipelines hold no model).
  public static func embed(_ tokens: [Int32], embedding: WeightMatrix) throws -> [Float] {
    let d = embedding.cols
    var x = [Float](repeating: 0, count: tokens.count * d)
    try x.withUnsafeMutableBufferPointer { xb in
      for (i, t) in tokens.enumerated() {
        guard t >= 0, Int(t) < embedding.rows else { throw LlamaError.tokenOutOfRange(t, vocab: embedding.rows) }
        try embedding.row(Int(t), into: xb.baseAddress! + i * d)
      }
    }
    return x
  }

  func attentionBlock(_ l: Int, _ x: inout [Float], _ h: inout [Float], n: Int, pos0: Int, rope: RoPETable,
                      scratch: ForwardScratch, cache: inout KVCache, hook: ActivationHook?) throws {
    let threads = QuantizedMatrix.defaultThreads
    let c = config, L = layers[l], d = c.dim, hd = c.headDim
    let nh = c.heads[l], nkv = c.kvHeads[l]
    guard nh > 0, let wq = L.wq, let wk = L.wk, let wv = L.wv, let wo = L.wo else { return }
    let qw = nh * hd, kw = nkv * hd, T = pos0 + n
    let q = scratch.q, k = scratch.k, v = scratch.v, out = scratch.out      // fully written below
    try x.withUnsafeBufferPointer { xb in
      try h.withUnsafeMutableBufferPointer { hb in
        Self.parallelRMSNorm(xb.baseAddress!, L.attnNorm, n: n, d: d, eps: c.rmsEps, into: hb.baseAddress!, threads: threads)
        hook?(l, .attnInput, UnsafeBufferPointer(hb), n, d)
        try WeightMatrix.applyGroup([wq, wk, wv], hb.baseAddress!, n: n, into: [q, k, v])
      }
    }
    // Family switches: Q/K/V biases (Qwen2), then per-head RMSNorm of Q and K (Qwen3), both before RoPE.
    for (buffer, bias, width) in [(q, L.qBias, qw), (k, L.kBias, kw), (v, L.vBias, kw)] {
      guard let bias else { continue }
      for r in 0..<n { for j in 0..<width { buffer[r * width + j] += bias[j] } }
    }
    if let qn = L.qNorm, let kn = L.kNorm {
      Self.parallelRMSNorm(q, qn, n: n * nh, d: hd, eps: c.rmsEps, into: q, threads: threads)
      Self.parallelRMSNorm(k, kn, n: n * nkv, d: hd, eps: c.rmsEps, into: k, threads: threads)
    }
    ParallelGemm.rows(n, threads: threads) { r0, r1 in
      Kernels.rope(q, rows: r0..<r1, ld: qw, heads: nh, headDim: hd, table: rope, pairing: c.ropePairing)
      Kernels.rope(k, rows: r0..<r1, ld: kw, heads: nkv, headDim: hd, table: rope, pairing: c.ropePairing)
    }
    cache.keys[l].append(contentsOf: UnsafeBufferPointer(start: k, count: n * kw))
    cache.values[l].append(contentsOf: UnsafeBufferPointer(start: v, count: n * kw))
    // out[n × qw]: per head, S = q_h K_gᵀ / √hd (causal), softmax, out_h = S V_g.
    let scale = 1 / Float(hd).squareRoot()
    let group = nh / nkv
    cache.keys[l].withUnsafeBufferPointer { kb in
      cache.values[l].withUnsafeBufferPointer { vb in
        if n == 1 {  // decoding: C loops over heads on the pool (hundreds of tiny BLAS calls cost more than the math)
          withUnsafeTemporaryAllocation(of: Float.self, capacity: nh * T) { scores in
            qk_decode_attention(q, kb.baseAddress!, vb.baseAddress!, out, scores.baseAddress!, Int64(T), Int32(nh),
                                Int32(group), Int32(hd), Int64(kw), scale, Int32(threads))
          }
        } else {
          Self.prefillAttention(q: q, k: kb.baseAddress!, v: vb.baseAddress!, out: out, n: n, pos0: pos0, heads: nh,
                                group: group, hd: hd, kw: kw, scale: scale, threads: threads)
        }
      }
    }
    hook?(l, .attnOutput, UnsafeBufferPointer(start: out, count: n * qw), n, qw)
    try x.withUnsafeMutableBufferPointer { try wo.apply(out, n: n, into: $0.baseAddress!, accumulate: true) }
  }

  /// Causal attention of n new rows (positions pos0..<pos0+n) against the cache, on the pool: one task per (head,
  /// tile of 128 rows); rows i0..<i1 only see keys < pos0 + i1, so long prompts skip the masked columns. Each task
  /// makes two single-threaded sgemm calls (fixed shapes: the result does not depend on the thread count).
  static func prefillAttention(q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                               out: UnsafeMutablePointer<Float>, n: Int, pos0: Int, heads: Int, group: Int, hd: Int,
                               kw: Int, scale: Float, threads: Int) {
    let qw = heads * hd, tile = 128
    let tiles = (n + tile - 1) / tile
    ParallelGemm.withSingleThreadedBLAS {
      parallelFor(heads * tiles, threads: threads) { task in
        let hh = task % heads, i0 = (tiles - 1 - task / heads) * tile     // the longest tiles first
        let g = hh / group
        let i1 = min(n, i0 + tile), rows = i1 - i0, cols = pos0 + i1
        let sb = UnsafeMutablePointer<Float>.allocate(capacity: rows * cols)
        defer { sb.deallocate() }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(cols), Int32(hd), scale,
                    q + i0 * qw + hh * hd, Int32(qw), k + g * hd, Int32(kw), 0, sb, Int32(cols))
        for i in 0..<rows {
          let row = sb + i * cols
          let visible = pos0 + i0 + i + 1
          qk_softmax(row, Int64(visible))
          for j in visible..<cols { row[j] = 0 }
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(hd), Int32(cols), 1,
                    sb, Int32(cols), v + g * hd, Int32(kw), 0, out + i0 * qw + hh * hd, Int32(qw))
      }
    }
  }

  /// RMSNorm of n rows on the pool (rows are independent).
  static func parallelRMSNorm(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, n: Int, d: Int, eps: Float,
                              into y: UnsafeMutablePointer<Float>, threads: Int) {
    ParallelGemm.rows(n, threads: threads) { r0, r1 in
      Kernels.rmsNorm(x + r0 * d, w, n: r1 - r0, d: d, eps: eps, into: y + r0 * d)
    }
  }

  func ffnBlock(_ l: Int, _ x: inout [Float], _ h: inout [Float], n: Int, scratch: ForwardScratch, hook: ActivationHook?) throws {
    let c = config, L = layers[l], d = c.dim, f = c.ffn[l]
    let threads = QuantizedMatrix.defaultThreads
    guard f > 0, let gate = L.gate, let up = L.up, let down = L.down else { return }
    let g = scratch.g, u = scratch.u                                             // fully written below
    try x.withUnsafeBufferPointer { xb in
      try h.withUnsafeMutableBufferPointer { hb in
        Self.parallelRMSNorm(xb.baseAddress!, L.ffnNorm, n: n, d: d, eps: c.rmsEps, into: hb.baseAddress!, threads: threads)
        hook?(l, .ffnInput, UnsafeBufferPointer(hb), n, d)
        try WeightMatrix.applyGroup([gate, up], hb.baseAddress!, n: n, into: [g, u])
      }
    }
    ParallelGemm.rows(n, threads: threads) { r0, r1 in qk_swiglu(g + r0 * f, u + r0 * f, Int64((r1 - r0) * f)) }
    hook?(l, .ffnActivation, UnsafeBufferPointer(start: g, count: n * f), n, f)
    try x.withUnsafeMutableBufferPointer { try down.apply(g, n: n, into: $0.baseAddress!, accumulate: true) }
  }
}

/// Per-forward buffers for q, k, v, attention output, gate and up, sized for the widest layer and reused by every
/// layer (fresh multi-megabyte arrays per layer cost page faults and zero-fills in prefill).
final class ForwardScratch {
  let q, k, v, out, g, u: UnsafeMutablePointer<Float>

  init(config c: LlamaConfig, n: Int) {
    let qw = (c.heads.max() ?? 0) * c.headDim, kw = (c.kvHeads.max() ?? 0) * c.headDim, f = c.ffn.max() ?? 0
    q = .allocate(capacity: max(1, n * qw)); out = .allocate(capacity: max(1, n * qw))
    k = .allocate(capacity: max(1, n * kw)); v = .allocate(capacity: max(1, n * kw))
    g = .allocate(capacity: max(1, n * f)); u = .allocate(capacity: max(1, n * f))
  }

  deinit { for p in [q, k, v, out, g, u] { p.deallocate() } }
}
