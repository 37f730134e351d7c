// Swift SIMD int8 dot products between ggml weight rows and Q8-quantized activation rows: a test reference the C
// kernels (Sources/CQuantKernels) are checked against (QuantCKernelTests). Test-only: every type they cover has a
// C kernel, so the product never ran them.
//
// An activation row is split into blocks of 32: d = amax/127, q = round-half-away(x/d) ∈ [−127, 127]. We keep Σq
// (for the −8 / −16 offsets) and Σx̂ = d·Σq (for the min terms of Q4_1/Q5_1/Q4_K), so the kernels compute exactly
// W·x̂ with x̂ the int8-quantized activation (as ggml's q8_1 `s` does).
//
// SIMD layout trick: 16 bytes loaded as SIMD8<Int16> hold the even bytes in the low halves and the odd bytes in
// the high halves of the lanes; shifts and masks split them into two Int16 vectors ("even" and "odd" lanes)
// without any lane-widening conversion (those are not inlined by the Swift stdlib and cost a call each). A dot
// product does not care about lane order as long as weights and activations are split the same way. Activations
// are pre-split once per call: per block [x0..15 even, x0..15 odd, x16..31 even, x16..31 odd] as Int16.

import TensorCore
import Foundation
@testable import LLM

typealias I16x8 = SIMD8<Int16>

struct Q8Activations {
  var x16: [Int16]         // n·cols values, split even/odd per 16-byte half as above
  var d: [Float]
  var sum: [Float]
  var isum: [Int32]
  let cols: Int

  /// Quantized by the C kernels (the same codes the C dot products see), then split into the Int16 layout.
  init(_ X: UnsafePointer<Float>, n: Int, cols: Int) {
    self.cols = cols
    let r = Q8Rows(X, n: n, cols: cols)
    d = r.d; sum = r.s; isum = r.isum
    x16 = [Int16](repeating: 0, count: n * cols)
    x16.withUnsafeMutableBufferPointer { xp in
      r.q.withUnsafeBufferPointer { qp in
        for b in 0..<(n * cols / 32) {
          for j in 0..<32 {
            let half = j / 16, k = j % 16
            xp[32 * b + 16 * half + 8 * (k % 2) + k / 2] = Int16(qp[32 * b + j])
          }
        }
      }
    }
  }

  struct Pointers {
    let x: UnsafePointer<Int16>, d: UnsafePointer<Float>, sum: UnsafePointer<Float>, isum: UnsafePointer<Int32>
  }

  func withPointers<R>(_ body: (Pointers) -> R) -> R {
    x16.withUnsafeBufferPointer { qp in d.withUnsafeBufferPointer { dp in sum.withUnsafeBufferPointer { sp in
      isum.withUnsafeBufferPointer { ip in
        body(Pointers(x: qp.baseAddress!, d: dp.baseAddress!, sum: sp.baseAddress!, isum: ip.baseAddress!))
      } } } }
  }
}

enum SwiftQ8Kernels {
  @inline(__always) static func ld(_ p: UnsafeRawPointer, _ off: Int = 0) -> I16x8 {
    p.loadUnaligned(fromByteOffset: off, as: I16x8.self)
  }
  /// Activation vectors of block `b`: (x0..15 even, odd, x16..31 even, odd).
  @inline(__always) static func act(_ x: UnsafePointer<Int16>, _ b: Int) -> (I16x8, I16x8, I16x8, I16x8) {
    let p = UnsafeRawPointer(x + 32 * b)
    return (ld(p, 0), ld(p, 16), ld(p, 32), ld(p, 48))
  }
  /// Sum of the 8 Int16 lanes as Int32 (exact for any Int16 values).
  @inline(__always) static func hsum(_ v: I16x8) -> Int32 {
    let w = unsafeBitCast(v, to: SIMD4<Int32>.self)
    let s = ((w &<< 16) &>> 16) &+ (w &>> 16)
    return s[0] &+ s[1] &+ s[2] &+ s[3]
  }
  /// The 8 Int16 lanes summed pairwise into 4 Float lanes (exact), so per-block scales apply to a vector and the
  /// horizontal reduction happens once per row.
  @inline(__always) static func pairSumInt(_ v: I16x8) -> SIMD4<Int32> {
    let w = unsafeBitCast(v, to: SIMD4<Int32>.self)
    return ((w &<< 16) &>> 16) &+ (w &>> 16)
  }
  @inline(__always) static func pairSum(_ v: I16x8) -> SIMD4<Float> {
    let w = unsafeBitCast(v, to: SIMD4<Int32>.self)
    return SIMD4<Float>(((w &<< 16) &>> 16) &+ (w &>> 16))
  }
  /// Nibbles of 16 bytes: (low even, low odd, high even, high odd), each 0…15.
  @inline(__always) static func nibbles(_ v: I16x8) -> (I16x8, I16x8, I16x8, I16x8) {
    let m = I16x8(repeating: 0x0f)
    return (v & m, (v &>> 8) & m, (v &>> 4) & m, (v &>> 12) & m)
  }
  /// Signed bytes of 16 bytes: (even, odd) sign-extended.
  @inline(__always) static func bytesI8(_ v: I16x8) -> (I16x8, I16x8) { ((v &<< 8) &>> 8, v &>> 8) }

  /// Σ_j w_j x̂_j for activation row `row` and one weight row.
  @inline(__always)
  static func dot(_ t: GGMLType, _ w: UnsafeRawPointer, _ a: Q8Activations.Pointers, row: Int, cols: Int) -> Float {
    let nb = cols / 32
    let x = a.x + row * cols, d = a.d + row * nb, s = a.sum + row * nb, isum = a.isum + row * nb
    var acc: Float = 0
    var acc4 = SIMD4<Float>()
    switch t {
    case .q8_0:
      for b in 0..<nb {
        let wb = w + 34 * b
        let (xe, xo, ye, yo) = act(x, b)
        let (we, wo) = bytesI8(ld(wb, 2)), (ve, vo) = bytesI8(ld(wb, 18))
        let pi = pairSumInt(we &* xe &+ wo &* xo) &+ pairSumInt(ve &* ye &+ vo &* yo)   // each half ≤ 2·16256
        acc4 += SIMD4<Float>(pi) * (FP16.loadHalf(wb, 0) * d[b])
      }
    case .q4_0:
      for b in 0..<nb {
        let wb = w + 18 * b
        let (xe, xo, ye, yo) = act(x, b)
        let (le, lo, he, ho) = nibbles(ld(wb, 2))
        let p = (le &- 8) &* xe &+ (lo &- 8) &* xo &+ (he &- 8) &* ye &+ (ho &- 8) &* yo
        acc4 += pairSum(p) * (FP16.loadHalf(wb, 0) * d[b])
      }
    case .q4_1:
      for b in 0..<nb {
        let wb = w + 20 * b
        let (xe, xo, ye, yo) = act(x, b)
        let (le, lo, he, ho) = nibbles(ld(wb, 4))
        let p = le &* xe &+ lo &* xo &+ he &* ye &+ ho &* yo
        acc4 += pairSum(p) * (FP16.loadHalf(wb, 0) * d[b])
        acc += FP16.loadHalf(wb, 2) * s[b]
      }
    case .q5_0, .q5_1:
      let bb = t == .q5_0 ? 22 : 24, hoff = t == .q5_0 ? 2 : 4
      for b in 0..<nb {
        let wb = w + bb * b
        let (xe, xo, ye, yo) = act(x, b)
        var (le, lo, he, ho) = nibbles(ld(wb, hoff + 4))
        let qh = GGMLCodec.load32(wb, hoff)
        le |= fifthBits(qh, 0); lo |= fifthBits(qh, 1); he |= fifthBits(qh, 16); ho |= fifthBits(qh, 17)
        let si = hsum(le &* xe &+ lo &* xo) &+ hsum(he &* ye &+ ho &* yo)  // each half ≤ 2·31·127
        if t == .q5_0 {
          acc += FP16.loadHalf(wb, 0) * d[b] * Float(si - 16 * isum[b])
        } else {
          acc += FP16.loadHalf(wb, 0) * d[b] * Float(si) + FP16.loadHalf(wb, 2) * s[b]
        }
      }
    case .q4_K:
      for sb in 0..<(nb / 8) {
        let wb = w + 144 * sb
        let dd = FP16.loadHalf(wb, 0), dmin = FP16.loadHalf(wb, 2)
        for c in 0..<4 {
          let g0 = 8 * sb + 2 * c
          // bytes 32c..32c+31: low nibbles → group 2c (x block g0), high nibbles → group 2c+1 (block g0+1)
          let (ale, alo, ahe, aho) = nibbles(ld(wb, 16 + 32 * c))
          let (ble, blo, bhe, bho) = nibbles(ld(wb, 32 + 32 * c))
          let (xe, xo, ye, yo) = act(x, g0)
          let (ze, zo, ue, uo) = act(x, g0 + 1)
          let pl = ale &* xe &+ alo &* xo &+ ble &* ye &+ blo &* yo
          let ph = ahe &* ze &+ aho &* zo &+ bhe &* ue &+ bho &* uo
          let (sc0, m0) = GGMLCodec.scaleMinK4(2 * c, wb + 4)
          let (sc1, m1) = GGMLCodec.scaleMinK4(2 * c + 1, wb + 4)
          acc += dd * Float(sc0) * d[g0] * Float(hsum(pl)) - dmin * Float(m0) * s[g0]
          acc += dd * Float(sc1) * d[g0 + 1] * Float(hsum(ph)) - dmin * Float(m1) * s[g0 + 1]
        }
      }
    case .q6_K:
      let m4 = I16x8(repeating: 0x0f), m2 = I16x8(repeating: 3), k32 = I16x8(repeating: 32)
      for sb in 0..<(nb / 8) {
        let wb = w + 210 * sb
        let dd = FP16.loadHalf(wb, 208)
        for half in 0..<2 {
          for part in 0..<2 {                          // 16-byte slices l = 16·part … 16·part+15
            let l0 = ld(wb, 64 * half + 16 * part), l1 = ld(wb, 64 * half + 32 + 16 * part)
            let h = ld(wb, 128 + 32 * half + 16 * part)
            let l0e = l0 & m4, l0o = (l0 &>> 8) & m4, l0he = (l0 &>> 4) & m4, l0ho = (l0 &>> 12) & m4
            let l1e = l1 & m4, l1o = (l1 &>> 8) & m4, l1he = (l1 &>> 4) & m4, l1ho = (l1 &>> 12) & m4
            let he = h, ho = h &>> 8
            // group k of 32 within this half: idx = 128·half + 32·k + 16·part + lane
            let vals: (I16x8, I16x8, I16x8, I16x8, I16x8, I16x8, I16x8, I16x8) = (
              l0e | ((he & m2) &<< 4), l0o | ((ho & m2) &<< 4),
              l1e | (((he &>> 2) & m2) &<< 4), l1o | (((ho &>> 2) & m2) &<< 4),
              l0he | (((he &>> 4) & m2) &<< 4), l0ho | (((ho &>> 4) & m2) &<< 4),
              l1he | (((he &>> 6) & m2) &<< 4), l1ho | (((ho &>> 6) & m2) &<< 4))
            @inline(__always) func add(_ ve: I16x8, _ vo: I16x8, _ k: Int) {
              let idx = 128 * half + 32 * k + 16 * part
              let blk = 8 * sb + idx / 32
              let xp = UnsafeRawPointer(x + 32 * blk + 16 * part)
              let p = (ve &- k32) &* ld(xp, 0) &+ (vo &- k32) &* ld(xp, 16)        // ≤ 2·32·127
              let sc = Float(wb.load(fromByteOffset: 192 + idx / 16, as: Int8.self))
              acc += dd * sc * d[blk] * Float(hsum(p))
            }
            add(vals.0, vals.1, 0); add(vals.2, vals.3, 1); add(vals.4, vals.5, 2); add(vals.6, vals.7, 3)
          }
        }
      }
    default:
      preconditionFailure("no integer kernel for \(t)")
    }
    return acc + acc4.sum()
  }

  /// Bit 4 for the 8 lanes j = first, first+2, …, first+14 of a Q5 block's 32-bit qh (first ∈ {0, 1, 16, 17}):
  /// mask lane k's bit, multiply it up to bit 15 (a per-lane constant: one pmullw), shift it down to bit 4.
  @inline(__always) static func fifthBits(_ qh: UInt32, _ first: Int) -> I16x8 {
    let half = UInt16(truncatingIfNeeded: qh >> UInt32(first & 16))
    let odd = UInt16(first & 1)
    let k = SIMD8<UInt16>(0, 1, 2, 3, 4, 5, 6, 7)
    let pos = k &* 2 &+ odd                                   // bit position of lane k
    let masks = SIMD8<UInt16>(repeating: 1) &<< pos
    let mults = SIMD8<UInt16>(repeating: 1) &<< (SIMD8<UInt16>(repeating: 15) &- pos)
    let v = ((SIMD8<UInt16>(repeating: half) & masks) &* mults) &>> 11
    return unsafeBitCast(v, to: I16x8.self)
  }
}
