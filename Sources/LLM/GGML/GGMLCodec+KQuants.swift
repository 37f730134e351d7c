// k-quants: 256-element super-blocks (layouts from ggml-common.h; dequantization as in gguf-py's quants.py).
//   Q2_K [scales 16][qs 64][d][dmin]                 16 groups of 16, 4-bit scale and 4-bit min each
//   Q3_K [hmask 32][qs 64][scales 12][d]             16 groups of 16, 6-bit signed scales (−32 offset)
//   Q4_K [d][dmin][scales 12][qs 128]                8 groups of 32, 6-bit scale and 6-bit min
//   Q5_K [d][dmin][scales 12][qh 32][qs 128]         as Q4_K plus a fifth bit per weight
//   Q6_K [ql 128][qh 64][scales 16 × int8][d]        16 groups of 16, q − 32
// The Q6_K quantizer here follows ggml's C reference (quantize_row_q6_K_ref with make_qx_quants); Q2_K, Q4_K and
// Q5_K are in GGMLCodec+AffineK.swift, Q3_K in GGMLCodec+Q3K.swift. gguf-py has no k-quant quantizer: all five are
// checked byte for byte against ggml's C reference (fixture from tools/reference/kquant_fixtures.py).
import TensorCore

extension GGMLCodec {
  @inline(__always) static func u8(_ p: UnsafeRawPointer, _ o: Int) -> UInt8 { p.load(fromByteOffset: o, as: UInt8.self) }

  /// 6-bit scale and min of group j (0..<8) from the 12 packed bytes at `s` (ggml get_scale_min_k4).
  @inline(__always)
  static func scaleMinK4(_ j: Int, _ s: UnsafeRawPointer) -> (UInt8, UInt8) {
    if j < 4 { return (u8(s, j) & 63, u8(s, j + 4) & 63) }
    let sc = (u8(s, j + 4) & 0x0f) | ((u8(s, j - 4) >> 6) << 4)
    let m = (u8(s, j + 4) >> 4) | ((u8(s, j) >> 6) << 4)
    return (sc, m)
  }

  static func dequantQ2_K(_ src: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
    let d = FP16.loadHalf(src, 80), dmin = FP16.loadHalf(src, 82)
    for idx in 0..<256 {
      let c = idx / 128, s = (idx / 32) % 4, l = idx % 32
      let q = (u8(src, 16 + c * 32 + l) >> UInt8(2 * s)) & 3
      let sc = u8(src, idx / 16)
      let dl = d * Float(sc & 0x0f), ml = dmin * Float(sc >> 4)
      y[idx] = dl * Float(q) - ml
    }
  }

  static func dequantQ3_K(_ src: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
    let d = FP16.loadHalf(src, 108)
    let sb = 96
    withUnsafeTemporaryAllocation(of: Float.self, capacity: 16) { sp in
      let scales = sp.baseAddress!
      for i in 0..<16 {
        let lo = i < 8 ? u8(src, sb + i) & 0x0f : u8(src, sb + i - 8) >> 4
        let hi = (u8(src, sb + 8 + i % 4) >> UInt8(2 * (i / 4))) & 3
        scales[i] = d * Float(Int(lo | (hi << 4)) - 32)
      }
      for c in 0..<2 {
        for s in 0..<4 {
          let shift = UInt8(2 * s), hb = UInt8(4 * c + s), base = 128 * c + 32 * s
          let s0 = scales[base / 16], s1 = scales[base / 16 + 1]
          for l in 0..<32 {
            let ql = Int((u8(src, 32 + 32 * c + l) >> shift) & 3)
            let hbit = Int((u8(src, l) >> hb) & 1)
            y[base + l] = (l < 16 ? s0 : s1) * Float(ql - ((hbit ^ 1) << 2))
          }
        }
      }
    }
  }

  static func dequantQ4_K(_ src: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
    let d = FP16.loadHalf(src, 0), dmin = FP16.loadHalf(src, 2)
    for g in 0..<8 {
      let (sc, m) = scaleMinK4(g, src + 4)
      let dl = d * Float(sc), ml = dmin * Float(m)
      let c = g / 2, shift = UInt8(4 * (g % 2))
      for l in 0..<32 {
        let q = (u8(src, 16 + c * 32 + l) >> shift) & 0x0f
        y[32 * g + l] = dl * Float(q) - ml
      }
    }
  }

  static func dequantQ5_K(_ src: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
    let d = FP16.loadHalf(src, 0), dmin = FP16.loadHalf(src, 2)
    for g in 0..<8 {
      let (sc, m) = scaleMinK4(g, src + 4)
      let dl = d * Float(sc), ml = dmin * Float(m)
      let c = g / 2, shift = UInt8(4 * (g % 2))
      for l in 0..<32 {
        let lo = (u8(src, 48 + c * 32 + l) >> shift) & 0x0f
        let hi = (u8(src, 16 + l) >> UInt8(g)) & 1
        y[32 * g + l] = dl * Float(lo | (hi << 4)) - ml
      }
    }
  }

  static func dequantQ6_K(_ src: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
    let d = FP16.loadHalf(src, 208)
    for c in 0..<2 {
      let ql = src + 64 * c, qh = src + 128 + 32 * c, yc = y + 128 * c
      var ds = (Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0))
      withUnsafeMutableBytes(of: &ds) { dp in
        let f = dp.baseAddress!.assumingMemoryBound(to: Float.self)
        for k in 0..<8 { f[k] = d * Float(src.load(fromByteOffset: 192 + 8 * c + k, as: Int8.self)) }
      }
      withUnsafeBytes(of: &ds) { dp in
        let f = dp.baseAddress!.assumingMemoryBound(to: Float.self)
        for l in 0..<32 {
          let a = u8(ql, l), b = u8(ql, l + 32), h = u8(qh, l)
          let iS = l / 16
          yc[l] = f[iS] * Float(Int((a & 0x0f) | ((h & 3) << 4)) - 32)
          yc[l + 32] = f[iS + 2] * Float(Int((b & 0x0f) | (((h >> 2) & 3) << 4)) - 32)
          yc[l + 64] = f[iS + 4] * Float(Int((a >> 4) | (((h >> 4) & 3) << 4)) - 32)
          yc[l + 96] = f[iS + 6] * Float(Int((b >> 4) | (((h >> 6) & 3) << 4)) - 32)
        }
      }
    }
  }

  // MARK: quantizers (ggml C reference algorithms)

  /// Round to nearest, ties to even, for |x| < 2^22 (ggml's nearest_int: add 1.5·2^23 and read the mantissa).
  @inline(__always) static func nearestInt(_ x: Float) -> Int {
    guard abs(x) < 4_194_303 else { return x.isFinite ? Int(x.rounded(.toNearestOrEven)) : 0 }
    let v = x + 12_582_912
    return Int(v.bitPattern & 0x007f_ffff) - 0x0040_0000
  }

  /// ggml make_qx_quants with rmse_type 1 (weights x²): symmetric levels −nmax…nmax−1, returns the scale.
  static func makeQX(_ n: Int, _ nmax: Int, _ x: UnsafePointer<Float>, _ L: UnsafeMutablePointer<UInt8>) -> Float {
    var amax: Float = 0, mx: Float = 0
    for i in 0..<n { let a = abs(x[i]); if a > amax { amax = a; mx = x[i] } }
    if amax < 1e-15 { for i in 0..<n { L[i] = 0 }; return 0 }
    func levels(_ iscale: Float) -> (Float, Float) {
      var sumlx: Float = 0, suml2: Float = 0
      for i in 0..<n {
        let l = min(nmax - 1, max(-nmax, nearestInt(iscale * x[i])))
        let w = x[i] * x[i], fl = Float(l)
        sumlx += w * x[i] * fl; suml2 += w * fl * fl
      }
      return (sumlx, suml2)
    }
    func store(_ iscale: Float) {
      for i in 0..<n { L[i] = UInt8(nmax + min(nmax - 1, max(-nmax, nearestInt(iscale * x[i])))) }
    }
    var iscale = -Float(nmax) / mx
    store(iscale)
    var (sumlx, suml2) = levels(iscale)
    var scale: Float = suml2 > 0 ? sumlx / suml2 : 0
    var best = scale * sumlx
    for step in -9...9 where step != 0 {
      iscale = -(Float(nmax) + 0.1 * Float(step)) / mx
      (sumlx, suml2) = levels(iscale)
      if suml2 > 0 && sumlx * sumlx > best * suml2 {
        store(iscale); scale = sumlx / suml2; best = scale * sumlx
      }
    }
    return scale
  }

  static func quantQ6_K(_ x: UnsafePointer<Float>, _ dst: UnsafeMutableRawPointer) {
    var L = [UInt8](repeating: 0, count: 256)
    var scales = [Float](repeating: 0, count: 16)
    var maxScale: Float = 0, maxAbs: Float = 0
    L.withUnsafeMutableBufferPointer { lp in
      for ib in 0..<16 {
        let s = makeQX(16, 32, x + 16 * ib, lp.baseAddress! + 16 * ib)
        scales[ib] = s
        if abs(s) > maxAbs { maxAbs = abs(s); maxScale = s }
      }
    }
    if maxAbs < 1e-15 { for k in 0..<210 { dst.storeBytes(of: 0, toByteOffset: k, as: UInt8.self) }; return }
    let iscale = -128 / maxScale
    let dBits = FP16.bits(from: 1 / iscale)
    FP16.store16(dBits, dst, 208)
    let d = FP16.float(fromBits: dBits)
    for ib in 0..<16 {
      let s = Int8(min(127, max(-128, nearestInt(iscale * scales[ib]))))
      dst.storeBytes(of: s, toByteOffset: 192 + ib, as: Int8.self)
      let dl = d * Float(s)
      if dl == 0 { continue }
      for i in 0..<16 { L[16 * ib + i] = UInt8(32 + min(31, max(-32, nearestInt(x[16 * ib + i] / dl)))) }
    }
    for c in 0..<2 {
      let j = 128 * c
      for l in 0..<32 {
        let a = L[j + l], b = L[j + l + 32], e = L[j + l + 64], f = L[j + l + 96]
        dst.storeBytes(of: (a & 0x0f) | ((e & 0x0f) << 4), toByteOffset: 64 * c + l, as: UInt8.self)
        dst.storeBytes(of: (b & 0x0f) | ((f & 0x0f) << 4), toByteOffset: 64 * c + l + 32, as: UInt8.self)
        let h = (a >> 4) | ((b >> 4) << 2) | ((e >> 4) << 4) | ((f >> 4) << 6)
        dst.storeBytes(of: h, toByteOffset: 128 + 32 * c + l, as: UInt8.self)
      }
    }
  }
}
