// Per-element view of a ggml block as an affine integer grid: element j decodes to x̂ = a_j · L_j + b_j with an
// integer level L_j ∈ levelRange. Quantizers that choose levels themselves (GPTQ) fit a block header with the
// codec, read (a_j, b_j) here, pick L_j, and write it back with `setLevel`; decoding the result with GGMLCodec
// gives exactly a_j · L_j + b_j (every product here is exact in Float32: fp16 scales times small integers).
import TensorCore

public enum GGMLBlockLevels {
  /// Types whose elements can be addressed as levels.
  public static func supports(_ t: GGMLType) -> Bool {
    switch t {
    case .q8_0, .q4_0, .q4_1, .q5_0, .q5_1, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K: return true
    default: return false
    }
  }

  /// Inclusive range of integer levels.
  public static func levelRange(_ t: GGMLType) -> (Int, Int) {
    switch t {
    case .q8_0: return (-127, 127)
    case .q2_K: return (0, 3)
    case .q3_K: return (0, 7)
    case .q4_0, .q4_1, .q4_K: return (0, 15)
    case .q5_0, .q5_1, .q5_K: return (0, 31)
    case .q6_K: return (0, 63)
    default: return (0, 0)
    }
  }

  /// (a, b) for element `j` of the block at `blk`.
  @inline(__always)
  public static func affine(_ t: GGMLType, _ blk: UnsafeRawPointer, _ j: Int) -> (Float, Float) {
    switch t {
    case .q8_0: return (FP16.loadHalf(blk, 0), 0)
    case .q4_0: let d = FP16.loadHalf(blk, 0); return (d, -8 * d)
    case .q5_0: let d = FP16.loadHalf(blk, 0); return (d, -16 * d)
    case .q4_1, .q5_1: return (FP16.loadHalf(blk, 0), FP16.loadHalf(blk, 2))
    case .q2_K:
      let code = blk.load(fromByteOffset: j / 16, as: UInt8.self)
      return (FP16.loadHalf(blk, 80) * Float(code & 0x0f), -(FP16.loadHalf(blk, 82) * Float(code >> 4)))
    case .q3_K:
      let g = j / 16
      let lo = g < 8 ? blk.load(fromByteOffset: 96 + g, as: UInt8.self) & 0x0f : blk.load(fromByteOffset: 96 + g - 8, as: UInt8.self) >> 4
      let hi = (blk.load(fromByteOffset: 104 + g % 4, as: UInt8.self) >> UInt8(2 * (g / 4))) & 3
      let a = FP16.loadHalf(blk, 108) * Float(Int(lo | (hi << 4)) - 32)
      return (a, -4 * a)
    case .q4_K, .q5_K:
      let (sc, m) = GGMLCodec.scaleMinK4(j / 32, blk + 4)
      return (FP16.loadHalf(blk, 0) * Float(sc), -(FP16.loadHalf(blk, 2) * Float(m)))
    case .q6_K:
      let a = FP16.loadHalf(blk, 208) * Float(blk.load(fromByteOffset: 192 + j / 16, as: Int8.self))
      return (a, -32 * a)
    default: preconditionFailure("GGMLBlockLevels: \(t) not supported")
    }
  }

  /// Write level `L` of element `j` (L must lie in levelRange).
  @inline(__always)
  public static func setLevel(_ t: GGMLType, _ blk: UnsafeMutableRawPointer, _ j: Int, _ L: Int) {
    @inline(__always) func setNibble(_ off: Int, high: Bool, _ v: Int) {
      var b = blk.load(fromByteOffset: off, as: UInt8.self)
      if high { b = (b & 0x0f) | UInt8((v & 0x0f) << 4) } else { b = (b & 0xf0) | UInt8(v & 0x0f) }
      blk.storeBytes(of: b, toByteOffset: off, as: UInt8.self)
    }
    @inline(__always) func setBit(_ off: Int, _ bit: Int, _ on: Bool) {
      var b = blk.load(fromByteOffset: off + bit / 8, as: UInt8.self)
      let m = UInt8(1) << UInt8(bit % 8)
      b = on ? (b | m) : (b & ~m)
      blk.storeBytes(of: b, toByteOffset: off + bit / 8, as: UInt8.self)
    }
    switch t {
    case .q8_0: blk.storeBytes(of: Int8(L), toByteOffset: 2 + j, as: Int8.self)
    case .q4_0: setNibble(2 + j % 16, high: j >= 16, L)
    case .q4_1: setNibble(4 + j % 16, high: j >= 16, L)
    case .q5_0: setNibble(6 + j % 16, high: j >= 16, L); setBit(2, j, L & 16 != 0)
    case .q5_1: setNibble(8 + j % 16, high: j >= 16, L); setBit(4, j, L & 16 != 0)
    case .q2_K:
      let off = 16 + 32 * (j / 128) + j % 32, shift = UInt8(2 * ((j % 128) / 32))
      var b = blk.load(fromByteOffset: off, as: UInt8.self)
      b = (b & ~(3 << shift)) | (UInt8(L & 3) << shift)
      blk.storeBytes(of: b, toByteOffset: off, as: UInt8.self)
    case .q3_K:
      let off = 32 + 32 * (j / 128) + j % 32, shift = UInt8(2 * ((j % 128) / 32))
      var b = blk.load(fromByteOffset: off, as: UInt8.self)
      b = (b & ~(3 << shift)) | (UInt8(L & 3) << shift)
      blk.storeBytes(of: b, toByteOffset: off, as: UInt8.self)
      setBit(0, (j % 32) * 8 + j / 32, L & 4 != 0)
    case .q4_K:
      let g = j / 32, l = j % 32
      setNibble(16 + 32 * (g / 2) + l, high: g % 2 == 1, L)
    case .q5_K:
      let g = j / 32, l = j % 32
      setNibble(48 + 32 * (g / 2) + l, high: g % 2 == 1, L & 0x0f)
      setBit(16, l * 8 + g, L & 16 != 0)
    case .q6_K:
      let c = j / 128, r = j % 128
      setNibble(64 * c + r % 64, high: r >= 64, L & 0x0f)
      let off = 128 + 32 * c + r % 32, shift = UInt8(2 * (r / 32))
      var b = blk.load(fromByteOffset: off, as: UInt8.self)
      b = (b & ~(3 << shift)) | (UInt8((L >> 4) & 3) << shift)
      blk.storeBytes(of: b, toByteOffset: off, as: UInt8.self)
    default: preconditionFailure("GGMLBlockLevels: \(t) not supported")
    }
  }
}
