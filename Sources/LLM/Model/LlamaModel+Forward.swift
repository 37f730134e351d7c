// Batched forward pass with a KV cache. All n new positions go through each layer at once: projections are
// one sgemm each (prefill) or sgemv (n = 1, decoding); attention per head is two sgemms over the cache.
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
    var x = [Float](repeating: 0, count: n * d)
    try x.withUnsafeMutableBufferPointer { xb in
      for (i, t) in tokens.enumerated() { try embedding.row(Int(t), into: xb.baseAddress! + i * d) }
    }
    var h = [Float](repeating: 0, count: n * d)
    for l in 0..<c.layers {
      try attentionBlock(l, &x, &h, n: n, pos0: pos0, cache: &cache, hook: hook)
      try ffnBlock(l, &x, &h, n: n, hook: hook)
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

  func attentionBlock(_ l: Int, _ x: inout [Float], _ h: inout [Float], n: Int, pos0: Int, cache: inout KVCache,
                      hook: ActivationHook?) throws {
    let c = config, L = layers[l], d = c.dim, hd = c.headDim
    let nh = c.heads[l], nkv = c.kvHeads[l]
    guard nh > 0, let wq = L.wq, let wk = L.wk, let wv = L.wv, let wo = L.wo else { return }
    let qw = nh * hd, kw = nkv * hd, T = pos0 + n
    var q = [Float](repeating: 0, count: n * qw)
    var k = [Float](repeating: 0, count: n * kw), v = k
    try x.withUnsafeBufferPointer { xb in
      try h.withUnsafeMutableBufferPointer { hb in
        Kernels.rmsNorm(xb.baseAddress!, L.attnNorm, n: n, d: d, eps: c.rmsEps, into: hb.baseAddress!)
        hook?(l, .attnInput, UnsafeBufferPointer(hb), n, d)
        try q.withUnsafeMutableBufferPointer { qb in try k.withUnsafeMutableBufferPointer { kb in
          try v.withUnsafeMutableBufferPointer { vb in
            try WeightMatrix.applyGroup([wq, wk, wv], hb.baseAddress!, n: n, into: [qb.baseAddress!, kb.baseAddress!, vb.baseAddress!])
          } } }
      }
    }
    q.withUnsafeMutableBufferPointer {
      Kernels.rope($0.baseAddress!, n: n, ld: qw, heads: nh, headDim: hd, ropeDim: c.ropeDim, pos0: pos0, theta: c.ropeTheta, pairing: c.ropePairing)
    }
    k.withUnsafeMutableBufferPointer {
      Kernels.rope($0.baseAddress!, n: n, ld: kw, heads: nkv, headDim: hd, ropeDim: c.ropeDim, pos0: pos0, theta: c.ropeTheta, pairing: c.ropePairing)
    }
    cache.keys[l].append(contentsOf: k)
    cache.values[l].append(contentsOf: v)
    // out[n × qw]: per head, S = q_h K_gᵀ / √hd (causal), softmax, out_h = S V_g.
    var out = [Float](repeating: 0, count: n * qw)
    var s = [Float](repeating: 0, count: min(n, 128) * T)
    let scale = 1 / Float(hd).squareRoot()
    let group = nh / nkv
    cache.keys[l].withUnsafeBufferPointer { kb in
      cache.values[l].withUnsafeBufferPointer { vb in
        q.withUnsafeBufferPointer { qb in
          out.withUnsafeMutableBufferPointer { ob in
            s.withUnsafeMutableBufferPointer { sb in
              if n == 1 {  // decoding: C loops over heads on the pool (hundreds of tiny BLAS calls cost more than the math)
                withUnsafeTemporaryAllocation(of: Float.self, capacity: nh * T) { scores in
                  qk_decode_attention(qb.baseAddress!, kb.baseAddress!, vb.baseAddress!, ob.baseAddress!,
                                      scores.baseAddress!, Int64(T), Int32(nh), Int32(group), Int32(hd), Int64(kw), scale,
                                      Int32(QuantizedMatrix.defaultThreads))
                }
                return
              }
              for hh in 0..<nh {
                let g = hh / group
                // Causal: rows i0..<i1 only see keys < pos0 + i1, so long prompts skip the masked columns.
                var i0 = 0
                while i0 < n {
                  let i1 = min(n, i0 + 128), rows = i1 - i0, cols = pos0 + i1
                  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(cols), Int32(hd), scale,
                              qb.baseAddress! + i0 * qw + hh * hd, Int32(qw), kb.baseAddress! + g * hd, Int32(kw),
                              0, sb.baseAddress!, Int32(cols))
                  for i in 0..<rows {
                    let row = sb.baseAddress! + i * cols
                    let visible = pos0 + i0 + i + 1
                    Kernels.softmax(row, count: visible)
                    for j in visible..<cols { row[j] = 0 }
                  }
                  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(hd), Int32(cols), 1,
                              sb.baseAddress!, Int32(cols), vb.baseAddress! + g * hd, Int32(kw),
                              0, ob.baseAddress! + i0 * qw + hh * hd, Int32(qw))
                  i0 = i1
                }
              }
            }
          }
        }
      }
    }
    if let hook { out.withUnsafeBufferPointer { hook(l, .attnOutput, $0, n, qw) } }
    try out.withUnsafeBufferPointer { ob in
      try x.withUnsafeMutableBufferPointer { try wo.apply(ob.baseAddress!, n: n, into: $0.baseAddress!, accumulate: true) }
    }
  }

  /// One query row against T cached keys/values, per head.
  static func decodeAttention(q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                              out: UnsafeMutablePointer<Float>, scores: UnsafeMutablePointer<Float>, T: Int,
                              heads: Int, group: Int, hd: Int, kw: Int, scale: Float) {
    for hh in 0..<heads {
      let qh = q + hh * hd, g = hh / group
      for j in 0..<T {
        let kj = k + j * kw + g * hd
        var acc: Float = 0
        for e in 0..<hd { acc += qh[e] * kj[e] }
        scores[j] = acc * scale
      }
      Kernels.softmax(scores, count: T)
      let oh = out + hh * hd
      for e in 0..<hd { oh[e] = 0 }
      for j in 0..<T {
        let w = scores[j], vj = v + j * kw + g * hd
        for e in 0..<hd { oh[e] += w * vj[e] }
      }
    }
  }

  func ffnBlock(_ l: Int, _ x: inout [Float], _ h: inout [Float], n: Int, hook: ActivationHook?) throws {
    let c = config, L = layers[l], d = c.dim, f = c.ffn[l]
    guard f > 0, let gate = L.gate, let up = L.up, let down = L.down else { return }
    var g = [Float](repeating: 0, count: n * f), u = g
    try x.withUnsafeBufferPointer { xb in
      try h.withUnsafeMutableBufferPointer { hb in
        Kernels.rmsNorm(xb.baseAddress!, L.ffnNorm, n: n, d: d, eps: c.rmsEps, into: hb.baseAddress!)
        hook?(l, .ffnInput, UnsafeBufferPointer(hb), n, d)
        try g.withUnsafeMutableBufferPointer { gb in try u.withUnsafeMutableBufferPointer { ub in
          try WeightMatrix.applyGroup([gate, up], hb.baseAddress!, n: n, into: [gb.baseAddress!, ub.baseAddress!])
        } }
      }
    }
    g.withUnsafeMutableBufferPointer { gb in u.withUnsafeBufferPointer { Kernels.swiglu(gb.baseAddress!, $0.baseAddress!, count: n * f) } }
    if let hook { g.withUnsafeBufferPointer { hook(l, .ffnActivation, $0, n, f) } }
    try g.withUnsafeBufferPointer { gb in
      try x.withUnsafeMutableBufferPointer { try down.apply(gb.baseAddress!, n: n, into: $0.baseAddress!, accumulate: true) }
    }
  }
}
