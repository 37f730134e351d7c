// The 32-element ggml blocks: Q8_0, Q4_0, Q4_1, Q5_0, Q5_1 (layouts from ggml-common.h).
//   Q8_0  [d f16][32 × int8]                     x = d·q
//   Q4_0  [d f16][16 bytes]                      x = d·(q − 8);  byte j: low nibble = q[j], high = q[j+16]
//   Q4_1  [d f16][m f16][16 bytes]               x = d·q + m
//   Q5_0  [d f16][qh u32 LE][16 bytes]           x = d·(q − 16); bit j of qh = bit 4 of q[j]
//   Q5_1  [d f16][m f16][qh u32 LE][16 bytes]    x = d·q + m
import TensorCore

extension GGMLCodec {
  // MARK: helpers

  /// Signed value of the first element with the largest magnitude (ggml's `max` in quantize_row_q4_0_ref).
  @inline(__always)
  static func signedAbsMax(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var amax: Float = 0, mx: Float = 0
    for j in 0..<n { let a = abs(x[j]); if amax < a { amax = a; mx = x[j] } }
    return mx
  }

  @inline(__always)
  static func minMax(_ x: UnsafePointer<Float>, _ n: Int) -> (Float, Float) {
    var lo = x[0], hi = x[0]
    for j in 1..<n { lo = min(lo, x[j]); hi = max(hi, x[j]) }
    return (lo, hi)
  }

  @inline(__always)
  static func packNibbles(_ q: UnsafePointer<UInt8>, _ dst: UnsafeMutableRawPointer) {
    for j in 0..<16 {
      dst.storeBytes(of: (q[j] & 0x0f) | ((q[j + 16] & 0x0f) << 4), toByteOffset: j, as: UInt8.self)
    }
  }

  @inline(__always)
  static func packHigh(_ q: UnsafePointer<UInt8>) -> UInt32 {
    var h: UInt32 = 0
    for j in 0..<32 { h |= UInt32((q[j] >> 4) & 1) << UInt32(j) }
    return h
  }

  @inline(__always)
  static func store32(_ v: UInt32, _ p: UnsafeMutableRawPointer, _ off: Int) {
    for k in 0..<4 { p.storeBytes(of: UInt8(truncatingIfNeeded: v >> UInt32(8 * k)), toByteOffset: off + k, as: UInt8.self) }
  }

  @inline(__always)
  static func load32(_ p: UnsafeRawPointer, _ off: Int) -> UInt32 {
    var v: UInt32 = 0
    for k in 0..<4 { v |= UInt32(p.load(fromByteOffset: off + k, as: UInt8.self)) << UInt32(8 * k) }
    return v
  }

  // MARK: Q8_0

  static func quantQ8_0(_ x: UnsafePointer<Float>, _ dst: UnsafeMutableRawPointer) {
    var amax: Float = 0
    for j in 0..<32 { amax = max(amax, abs(x[j])) }
    let d = amax / 127
    let id: Float = d == 0 ? 0 : 1 / d
    FP16.store16(FP16.bits(from: d), dst, 0)
    let q = (dst + 2).assumingMemoryBound(to: Int8.self)
    for j in 0..<32 { q[j] = Int8(truncatingIfNeeded: Int32((x[j] * id).rounded(.toNearestOrAwayFromZero))) }
  }

  static func dequantQ8_0(_ src: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
    let d = FP16.loadHalf(src, 0)
    for j in 0..<32 { y[j] = Float(src.load(fromByteOffset: 2 + j, as: Int8.self)) * d }
  }

  // MARK: Q4_0 / Q5_0 (symmetric)

  @inline(__always)
  static func quantSymmetric(_ x: UnsafePointer<Float>, levels: Float, qmax: Int, _ q: UnsafeMutablePointer<UInt8>) -> Float {
    let mx = signedAbsMax(x, 32)
    let d = mx / -levels
    let id: Float = d == 0 ? 0 : 1 / d
    let off = levels + 0.5
    for j in 0..<32 {
      let t = x[j] * id + off                       // ≥ 0 up to rounding: truncation = floor here
      q[j] = UInt8(truncatingIfNeeded: min(Int32(qmax), max(0, Int32(max(0, t)))))
    }
    return d
  }

  static func quantQ4_0(_ x: UnsafePointer<Float>, _ dst: UnsafeMutableRawPointer) {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { q in
      let d = quantSymmetric(x, levels: 8, qmax: 15, q.baseAddress!)
      FP16.store16(FP16.bits(from: d), dst, 0)
      packNibbles(q.baseAddress!, dst + 2)
    }
  }

  static func dequantQ4_0(_ src: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
    let d = FP16.loadHalf(src, 0)
    for j in 0..<16 {
      let b = src.load(fromByteOffset: 2 + j, as: UInt8.self)
      y[j] = d * Float(Int(b & 0x0f) - 8)
      y[j + 16] = d * Float(Int(b >> 4) - 8)
    }
  }

  static func quantQ5_0(_ x: UnsafePointer<Float>, _ dst: UnsafeMutableRawPointer) {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { q in
      let d = quantSymmetric(x, levels: 16, qmax: 31, q.baseAddress!)
      FP16.store16(FP16.bits(from: d), dst, 0)
      store32(packHigh(q.baseAddress!), dst, 2)
      packNibbles(q.baseAddress!, dst + 6)
    }
  }

  static func dequantQ5_0(_ src: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
    let d = FP16.loadHalf(src, 0)
    let qh = load32(src, 2)
    for j in 0..<16 {
      let b = src.load(fromByteOffset: 6 + j, as: UInt8.self)
      let h0 = Int((qh >> UInt32(j)) & 1) << 4, h1 = Int((qh >> UInt32(j + 16)) & 1) << 4
      y[j] = d * Float((Int(b & 0x0f) | h0) - 16)
      y[j + 16] = d * Float((Int(b >> 4) | h1) - 16)
    }
  }

  // MARK: Q4_1 / Q5_1 (affine)

  @inline(__always)
  static func quantAffine(_ x: UnsafePointer<Float>, steps: Float, _ q: UnsafeMutablePointer<UInt8>) -> (Float, Float) {
    let (lo, hi) = minMax(x, 32)
    let d = (hi - lo) / steps
    let id: Float = d == 0 ? 0 : 1 / d
    let qmax = Int32(steps)
    for j in 0..<32 {
      let t = (x[j] - lo) * id + 0.5
      q[j] = UInt8(truncatingIfNeeded: min(qmax, Int32(max(0, t))))
    }
    return (d, lo)
  }

  static func quantQ4_1(_ x: UnsafePointer<Float>, _ dst: UnsafeMutableRawPointer) {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { q in
      let (d, m) = quantAffine(x, steps: 15, q.baseAddress!)
      FP16.store16(FP16.bits(from: d), dst, 0)
      FP16.store16(FP16.bits(from: m), dst, 2)
      packNibbles(q.baseAddress!, dst + 4)
    }
  }

  static func dequantQ4_1(_ src: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
    let d = FP16.loadHalf(src, 0), m = FP16.loadHalf(src, 2)
    for j in 0..<16 {
      let b = src.load(fromByteOffset: 4 + j, as: UInt8.self)
      y[j] = d * Float(b & 0x0f) + m
      y[j + 16] = d * Float(b >> 4) + m
    }
  }

  static func quantQ5_1(_ x: UnsafePointer<Float>, _ dst: UnsafeMutableRawPointer) {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { q in
      let (d, m) = quantAffine(x, steps: 31, q.baseAddress!)
      FP16.store16(FP16.bits(from: d), dst, 0)
      FP16.store16(FP16.bits(from: m), dst, 2)
      store32(packHigh(q.baseAddress!), dst, 4)
      packNibbles(q.baseAddress!, dst + 8)
    }
  }

  static func dequantQ5_1(_ src: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
    let d = FP16.loadHalf(src, 0), m = FP16.loadHalf(src, 2)
    let qh = load32(src, 4)
    for j in 0..<16 {
      let b = src.load(fromByteOffset: 8 + j, as: UInt8.self)
      let h0 = UInt8((qh >> UInt32(j)) & 1) << 4, h1 = UInt8((qh >> UInt32(j + 16)) & 1) << 4
      y[j] = d * Float((b & 0x0f) | h0) + m
      y[j + 16] = d * Float((b >> 4) | h1) + m
    }
  }
}
