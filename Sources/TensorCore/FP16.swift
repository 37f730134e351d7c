// IEEE-754 binary16 and bfloat16 conversions used by the ggml block formats and the safetensors dtypes.
// Float → half rounds to nearest, ties to even (what numpy's astype(float16) and ggml's software path do);
// NaN becomes the quiet NaN 0x7e00 (with sign), values ≥ 65520 become ±inf, tiny values become subnormals.

public enum FP16 {
  /// Bits of the binary16 nearest to `f` (round to nearest even).
  @inline(__always)
  public static func bits(from f: Float) -> UInt16 {
    var u = f.bitPattern
    let sign = u & 0x8000_0000
    u ^= sign
    var o: UInt32
    if u >= 0x4780_0000 {                       // |f| ≥ 65536, inf or NaN
      o = u > 0x7f80_0000 ? 0x7e00 : 0x7c00
    } else if u < 0x3880_0000 {                 // below the smallest normal half (2^-14)
      // Adding 0.5 (2^-1) aligns the 10 subnormal mantissa bits at the bottom of the float: the FPU's own
      // round-to-nearest-even does the rounding.
      let magic: Float = Float(bitPattern: 0x3f00_0000)
      let r = Float(bitPattern: u) + magic
      o = r.bitPattern &- 0x3f00_0000
    } else {
      let odd = (u >> 13) & 1
      u = u &+ 0xc800_0fff                      // rebias exponent (−112 << 23) plus rounding bias 0xfff
      u = u &+ odd                              // ties to even
      o = u >> 13                               // overflow of the mantissa carries into the exponent (→ inf)
    }
    return UInt16(truncatingIfNeeded: o | (sign >> 16))
  }

  /// The Float exactly equal to the binary16 with these bits. Branch-light: the exponent/mantissa field shifted
  /// into a Float is the value scaled by 2^−112 (a Float subnormal for half subnormals), so one exact multiply by
  /// 2^112 rebiases normals and subnormals alike; only inf/NaN need a separate path.
  @inline(__always)
  public static func float(fromBits h: UInt16) -> Float {
    let em = UInt32(h & 0x7fff) << 13
    let sign = UInt32(h & 0x8000) << 16
    if h & 0x7c00 == 0x7c00 { return Float(bitPattern: sign | 0x7f80_0000 | em) }
    return Float(bitPattern: sign | (Float(bitPattern: em) * Float(bitPattern: 0x7780_0000)).bitPattern)
  }

  /// bfloat16 bits of `f`: round to nearest even on the top 16 bits; NaN forced quiet (ggml_compute_fp32_to_bf16).
  @inline(__always)
  public static func bf16Bits(from f: Float) -> UInt16 {
    let u = f.bitPattern
    if u & 0x7fff_ffff > 0x7f80_0000 { return UInt16(truncatingIfNeeded: (u >> 16) | 64) }
    let r = (UInt64(u) + 0x7fff + UInt64((u >> 16) & 1)) >> 16
    return UInt16(truncatingIfNeeded: r)
  }

  @inline(__always)
  public static func float(fromBF16 b: UInt16) -> Float { Float(bitPattern: UInt32(b) << 16) }

  /// Little-endian 16-bit load at a byte offset (no alignment requirement).
  @inline(__always)
  public static func load16(_ p: UnsafeRawPointer, _ off: Int) -> UInt16 {
    UInt16(littleEndian: p.loadUnaligned(fromByteOffset: off, as: UInt16.self))
  }

  @inline(__always)
  public static func store16(_ v: UInt16, _ p: UnsafeMutableRawPointer, _ off: Int) {
    p.storeBytes(of: UInt8(truncatingIfNeeded: v), toByteOffset: off, as: UInt8.self)
    p.storeBytes(of: UInt8(truncatingIfNeeded: v >> 8), toByteOffset: off + 1, as: UInt8.self)
  }

  /// The half at byte offset `off`, as Float.
  @inline(__always)
  public static func loadHalf(_ p: UnsafeRawPointer, _ off: Int) -> Float { float(fromBits: load16(p, off)) }
}
