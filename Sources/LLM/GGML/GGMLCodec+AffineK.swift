// Affine k-quants (a scale and a minimum per group): Q2_K (2.625 bits/weight), Q4_K (4.5), Q5_K (5.5).
//
// Source: ggml's C reference quantizers quantize_row_q2_K_ref / q4_K_ref / q5_K_ref and their helper
// make_qkx2_quants (ggml-quants.c). Written from that description, checked byte for byte against the C code's
// output (Tests/LLMTests/Fixtures/ggml/kquants.json from tools/reference/kquant_fixtures.py).
//
// Math. A super-block of 256 weights is cut into groups (16 of 16 for Q2_K, 8 of 32 for Q4_K/Q5_K). Each group j
// is approximated as x ≈ s_j·q − m_j with integer levels q ∈ 0…N (N = 3, 15, 31):
//   1. weights w_i: |x_i| for Q2_K; rms(x) + |x_i| for Q4_K/Q5_K.
//   2. start from min' = min(0, min x), s = (max x − min')/N, q_i = clamp(round((x_i − min')/s)); error E =
//      Σ w_i·|ŷ_i − x_i| (Q2_K: absolute deviation) or Σ w_i·(ŷ_i − x_i)² (Q4_K/Q5_K).
//   3. for k = 0…K, inverse scale (N + r_min + k·r_δ)/(max x − b*) with b* the offset of the best fit so far
//      (min' at first), levels round((x − b*)·inverse scale): round to levels, then solve the weighted
//      least-squares fit of (s, b) in x ≈ s·q + b (normal equations with D = Σw·Σwq² − (Σwq)²); b > 0 is clipped
//      to 0 with s = Σwqx/Σwq²; keep the candidate if its error (same norm as step 2) is smaller.
//      (r_min, r_δ, K) = (−0.5, 0.1, 15) for Q2_K and Q5_K, (−1, 0.1, 20) for Q4_K.
//   4. the group scales and minima are quantized against the block's largest: Q2_K to 4 bits each with fp16
//      d = max s/15, dmin = max m/15; Q4_K/Q5_K to 6 bits with d = max s/63, dmin = max m/63 (packed as
//      get_scale_min_k4 reads them).
//   5. levels are recomputed from the stored (rounded) scales: q = clamp(round((x + dmin·m_code)/(d·s_code))),
//      except in a group whose stored scale is 0, which keeps the levels of step 3.
// round = ggml's nearest_int (ties to even); fp16 rounding is to nearest even; codes are truncated to 8 bits as C does.
import TensorCore

extension GGMLCodec {
  /// Affine fit of `n` values to levels 0…nmax (steps 2–3 above). Returns (scale, −minimum); `levels` receives q.
  static func fitAffineLevels(_ n: Int, _ nmax: Int, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                              _ levels: UnsafeMutablePointer<UInt8>, rmin: Float, rdelta: Float, steps: Int,
                              absoluteError: Bool) -> (scale: Float, negatedMin: Float) {
    var lo = x[0], hi = x[0], sumW = w[0], sumX = w[0] * x[0]
    for i in 1..<n {
      if x[i] < lo { lo = x[i] }
      if x[i] > hi { hi = x[i] }
      sumW += w[i]; sumX += w[i] * x[i]
    }
    if lo > 0 { lo = 0 }
    if hi == lo { for i in 0..<n { levels[i] = 0 }; return (0, -lo) }
    // The search continues from the best fit so far: candidates are placed relative to its offset (not min x).
    var scale: Float = 0, offset = lo
    @inline(__always) func level(_ inverse: Float, _ v: Float) -> Int { min(nmax, max(0, nearestInt(inverse * (v - offset)))) }
    @inline(__always) func cost(_ d: Float) -> Float { absoluteError ? abs(d) : d * d }
    var inverse = Float(nmax) / (hi - lo)
    scale = 1 / inverse
    var bestError: Float = 0
    for i in 0..<n {
      let q = level(inverse, x[i])
      levels[i] = UInt8(q)
      bestError += w[i] * cost(scale * Float(q) + offset - x[i])
    }
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: n) { candidate in
      for step in 0...steps {
        inverse = (rmin + rdelta * Float(step) + Float(nmax)) / (hi - offset)
        var sumL: Float = 0, sumL2: Float = 0, sumXL: Float = 0
        for i in 0..<n {
          let q = level(inverse, x[i])
          candidate[i] = UInt8(q)
          let wq = w[i] * Float(q)
          sumL += wq; sumL2 += wq * Float(q); sumXL += wq * x[i]
        }
        let det = sumW * sumL2 - sumL * sumL
        guard det > 0 else { continue }
        var s = (sumW * sumXL - sumX * sumL) / det
        var b = (sumL2 * sumX - sumL * sumXL) / det
        if b > 0 { b = 0; s = sumXL / sumL2 }
        var error: Float = 0
        for i in 0..<n { error += w[i] * cost(s * Float(candidate[i]) + b - x[i]) }
        if error < bestError {
          for i in 0..<n { levels[i] = candidate[i] }
          bestError = error; scale = s; offset = b
        }
      }
    }
    return (scale, -offset)
  }

  /// Q2_K block: [scales 16 (low nibble scale, high nibble min)][qs 64][d fp16][dmin fp16].
  static func quantQ2_K(_ x: UnsafePointer<Float>, _ dst: UnsafeMutableRawPointer) {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256) { levelBuffer in
      withUnsafeTemporaryAllocation(of: Float.self, capacity: 48) { floatBuffer in
        let L = levelBuffer.baseAddress!, scales = floatBuffer.baseAddress!, mins = scales + 16, weights = scales + 32
        var maxScale: Float = 0, maxMin: Float = 0
        for j in 0..<16 {
          let xj = x + 16 * j
          for i in 0..<16 { weights[i] = abs(xj[i]) }
          let (s, m) = fitAffineLevels(16, 3, xj, weights, L + 16 * j, rmin: -0.5, rdelta: 0.1, steps: 15, absoluteError: true)
          scales[j] = s; mins[j] = m
          if s > maxScale { maxScale = s }
          if m > maxMin { maxMin = m }
        }
        var dBits: UInt16 = 0, minBits: UInt16 = 0
        for j in 0..<16 { dst.storeBytes(of: 0, toByteOffset: j, as: UInt8.self) }
        if maxScale > 0 {
          let inverse = 15 / maxScale
          for j in 0..<16 { dst.storeBytes(of: UInt8(truncatingIfNeeded: nearestInt(inverse * scales[j])), toByteOffset: j, as: UInt8.self) }
          dBits = FP16.bits(from: maxScale / 15)
        }
        if maxMin > 0 {
          let inverse = 15 / maxMin
          for j in 0..<16 {
            let code = UInt8(truncatingIfNeeded: nearestInt(inverse * mins[j]) << 4)
            dst.storeBytes(of: u8(dst, j) | code, toByteOffset: j, as: UInt8.self)
          }
          minBits = FP16.bits(from: maxMin / 15)
        }
        FP16.store16(dBits, dst, 80); FP16.store16(minBits, dst, 82)
        let d = FP16.float(fromBits: dBits), dmin = FP16.float(fromBits: minBits)
        for j in 0..<16 {
          let code = u8(dst, j)
          let dl = d * Float(code & 0x0f)
          if dl == 0 { continue }
          let ml = dmin * Float(code >> 4)
          for i in 0..<16 { L[16 * j + i] = UInt8(min(3, max(0, nearestInt((x[16 * j + i] + ml) / dl)))) }
        }
        for c in 0..<2 {
          for l in 0..<32 {
            let b = 128 * c + l
            dst.storeBytes(of: L[b] | (L[b + 32] << 2) | (L[b + 64] << 4) | (L[b + 96] << 6), toByteOffset: 16 + 32 * c + l, as: UInt8.self)
          }
        }
      }
    }
  }

  static func quantQ4_K(_ x: UnsafePointer<Float>, _ dst: UnsafeMutableRawPointer) { quantScaleMinK(x, dst, highBit: false) }
  static func quantQ5_K(_ x: UnsafePointer<Float>, _ dst: UnsafeMutableRawPointer) { quantScaleMinK(x, dst, highBit: true) }

  /// Q4_K [d][dmin][scales 12][qs 128] or Q5_K [d][dmin][scales 12][qh 32][qs 128]: 8 groups of 32 with 6-bit codes.
  static func quantScaleMinK(_ x: UnsafePointer<Float>, _ dst: UnsafeMutableRawPointer, highBit: Bool) {
    let nmax = highBit ? 31 : 15
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256 + 12) { levelBuffer in
      withUnsafeTemporaryAllocation(of: Float.self, capacity: 48) { floatBuffer in
        let L = levelBuffer.baseAddress!, packed = L + 256
        let scales = floatBuffer.baseAddress!, mins = scales + 8, weights = scales + 16
        var maxScale: Float = 0, maxMin: Float = 0
        for j in 0..<8 {
          let xj = x + 32 * j
          var sumSquares: Float = 0
          for i in 0..<32 { sumSquares += xj[i] * xj[i] }
          let rms = (sumSquares / 32).squareRoot()
          for i in 0..<32 { weights[i] = rms + abs(xj[i]) }
          let (s, m) = highBit
            ? fitAffineLevels(32, 31, xj, weights, L + 32 * j, rmin: -0.5, rdelta: 0.1, steps: 15, absoluteError: false)
            : fitAffineLevels(32, 15, xj, weights, L + 32 * j, rmin: -1, rdelta: 0.1, steps: 20, absoluteError: false)
          scales[j] = s; mins[j] = m
          if s > maxScale { maxScale = s }
          if m > maxMin { maxMin = m }
        }
        let inverseScale: Float = maxScale > 0 ? 63 / maxScale : 0
        let inverseMin: Float = maxMin > 0 ? 63 / maxMin : 0
        for k in 0..<12 { packed[k] = 0 }
        for j in 0..<8 {
          let sc = min(63, UInt8(truncatingIfNeeded: nearestInt(inverseScale * scales[j])))
          let mc = min(63, UInt8(truncatingIfNeeded: nearestInt(inverseMin * mins[j])))
          if j < 4 { packed[j] = sc; packed[j + 4] = mc } else {
            packed[j + 4] = (sc & 0x0f) | ((mc & 0x0f) << 4)
            packed[j - 4] |= (sc >> 4) << 6
            packed[j] |= (mc >> 4) << 6
          }
        }
        let dBits = FP16.bits(from: maxScale / 63), minBits = FP16.bits(from: maxMin / 63)
        FP16.store16(dBits, dst, 0); FP16.store16(minBits, dst, 2)
        for k in 0..<12 { dst.storeBytes(of: packed[k], toByteOffset: 4 + k, as: UInt8.self) }
        let d = FP16.float(fromBits: dBits), dmin = FP16.float(fromBits: minBits)
        for j in 0..<8 {
          let (sc, mc) = scaleMinK4(j, UnsafeRawPointer(packed))
          let dl = d * Float(sc)
          if dl == 0 { continue }
          let ml = dmin * Float(mc)
          for i in 0..<32 { L[32 * j + i] = UInt8(min(nmax, max(0, nearestInt((x[32 * j + i] + ml) / dl)))) }
        }
        let qs = highBit ? 48 : 16
        if highBit { for k in 0..<32 { dst.storeBytes(of: 0, toByteOffset: 16 + k, as: UInt8.self) } }
        for c in 0..<4 {
          for l in 0..<32 {
            var low = L[64 * c + l], high = L[64 * c + l + 32]
            if highBit {
              var h = u8(dst, 16 + l)
              if low > 15 { low -= 16; h |= UInt8(1) << UInt8(2 * c) }
              if high > 15 { high -= 16; h |= UInt8(2) << UInt8(2 * c) }
              dst.storeBytes(of: h, toByteOffset: 16 + l, as: UInt8.self)
            }
            dst.storeBytes(of: low | (high << 4), toByteOffset: qs + 32 * c + l, as: UInt8.self)
          }
        }
      }
    }
  }
}
