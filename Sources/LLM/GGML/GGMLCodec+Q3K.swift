// Q3_K quantizer (3.4375 bits/weight): ggml's C reference algorithm (quantize_row_q3_K_ref with make_q3_quants,
// rmse refinement on): 16 groups of 16 weights, levels −4…3 with a 6-bit signed scale per group and one fp16
// super-scale. Layout [hmask 32][qs 64][scales 12][d]; element j: 2 low bits in qs, bit 2 in hmask (set ⇒ no −4).
import TensorCore

extension GGMLCodec {
  /// ggml make_q3_quants(n, nmax, x, L, do_rmse = true): symmetric levels −nmax…nmax−1 stored as L + nmax.
  static func makeQ3(_ n: Int, _ nmax: Int, _ x: UnsafePointer<Float>, _ L: UnsafeMutablePointer<Int8>) -> Float {
    var amax: Float = 0, mx: Float = 0
    for i in 0..<n { let a = abs(x[i]); if a > amax { amax = a; mx = x[i] } }
    if amax < 1e-15 { for i in 0..<n { L[i] = 0 }; return 0 }
    let iscale = -Float(nmax) / mx
    var sumlx: Float = 0, suml2: Float = 0
    for i in 0..<n {
      let l = min(nmax - 1, max(-nmax, nearestInt(iscale * x[i])))
      L[i] = Int8(l)
      let w = x[i] * x[i]
      sumlx += w * x[i] * Float(l); suml2 += w * Float(l) * Float(l)
    }
    for _ in 0..<5 {
      var changed = 0
      for i in 0..<n {
        let w = x[i] * x[i], li = Float(L[i])
        var slx = sumlx - w * x[i] * li
        if slx > 0 {
          var sl2 = suml2 - w * li * li
          let nl = min(nmax - 1, max(-nmax, nearestInt(x[i] * sl2 / slx)))
          if nl != Int(L[i]) {
            slx += w * x[i] * Float(nl); sl2 += w * Float(nl) * Float(nl)
            if sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2 {
              L[i] = Int8(nl); sumlx = slx; suml2 = sl2; changed += 1
            }
          }
        }
      }
      if changed == 0 { break }
    }
    for i in 0..<n { L[i] = L[i] + Int8(nmax) }
    return suml2 > 0 ? sumlx / suml2 : 0
  }

  static func quantQ3_K(_ x: UnsafePointer<Float>, _ dst: UnsafeMutableRawPointer) {
    var L = [Int8](repeating: 0, count: 256)
    var scales = [Float](repeating: 0, count: 16)
    var maxScale: Float = 0, amax: Float = 0
    L.withUnsafeMutableBufferPointer { lp in
      for j in 0..<16 {
        let s = makeQ3(16, 4, x + 16 * j, lp.baseAddress! + 16 * j)
        scales[j] = s
        if abs(s) > amax { amax = abs(s); maxScale = s }
      }
    }
    for k in 0..<110 { dst.storeBytes(of: 0, toByteOffset: k, as: UInt8.self) }
    var sb = [UInt8](repeating: 0, count: 12)
    if maxScale != 0 {
      let iscale = -32 / maxScale
      FP16.store16(FP16.bits(from: 1 / iscale), dst, 108)
      for j in 0..<16 {
        var l = min(31, max(-32, nearestInt(iscale * scales[j]))) + 32
        if j < 8 { sb[j] = UInt8(l & 0x0f) } else { sb[j - 8] |= UInt8((l & 0x0f) << 4) }
        l >>= 4
        sb[j % 4 + 8] |= UInt8(l << (2 * (j / 4)))
      }
    }
    for k in 0..<12 { dst.storeBytes(of: sb[k], toByteOffset: 96 + k, as: UInt8.self) }
    let d = FP16.loadHalf(UnsafeRawPointer(dst), 108)
    for j in 0..<16 {
      let lo = j < 8 ? sb[j] & 0x0f : sb[j - 8] >> 4
      let sc = Int(lo | (((sb[8 + j % 4] >> UInt8(2 * (j / 4))) & 3) << 4)) - 32
      let dl = d * Float(sc)
      if dl == 0 { continue }
      for i in 0..<16 { L[16 * j + i] = Int8(min(3, max(-4, nearestInt(x[16 * j + i] / dl))) + 4) }
    }
    for j in 0..<256 {
      var l = L[j]
      if l > 3 {
        let off = j % 32
        dst.storeBytes(of: dst.load(fromByteOffset: off, as: UInt8.self) | UInt8(1 << (j / 32)), toByteOffset: off, as: UInt8.self)
        l -= 4
      }
      L[j] = l
    }
    for c in 0..<2 {
      for l in 0..<32 {
        let j = 128 * c
        let v = UInt8(L[j + l]) | (UInt8(L[j + l + 32]) << 2) | (UInt8(L[j + l + 64]) << 4) | (UInt8(L[j + l + 96]) << 6)
        dst.storeBytes(of: v, toByteOffset: 32 + 32 * c + l, as: UInt8.self)
      }
    }
  }
}
