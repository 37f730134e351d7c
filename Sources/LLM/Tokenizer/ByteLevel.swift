// GPT-2 byte-level mapping (Radford et al. 2019, encoder.py bytes_to_unicode): every byte maps to a
// printable Unicode scalar so BPE works on text without control characters or spaces. Printable Latin-1
// bytes map to themselves; the other 68 bytes map to U+0100 upward in byte order (space → 'Ġ' U+0120).

enum ByteLevel {
  /// byte → scalar
  static let byteToScalar: [Unicode.Scalar] = {
    var table = [Unicode.Scalar](repeating: " ", count: 256)
    var n: UInt32 = 0
    for b in 0..<256 {
      let printable = (33...126).contains(b) || (161...172).contains(b) || (174...255).contains(b)
      if printable { table[b] = Unicode.Scalar(UInt32(b))! } else { table[b] = Unicode.Scalar(256 + n)!; n += 1 }
    }
    return table
  }()

  /// scalar value → byte (nil for scalars outside the mapping)
  static let scalarToByte: [UInt32: UInt8] = {
    var m = [UInt32: UInt8]()
    for (b, s) in byteToScalar.enumerated() { m[s.value] = UInt8(b) }
    return m
  }()

  static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
    var s = String.UnicodeScalarView()
    for b in bytes { s.append(byteToScalar[Int(b)]) }
    return String(s)
  }

  /// Bytes of a byte-level token string; nil if it contains a scalar outside the mapping.
  static func decode(_ token: String) -> [UInt8]? {
    var out = [UInt8]()
    for s in token.unicodeScalars {
      guard let b = scalarToByte[s.value] else { return nil }
      out.append(b)
    }
    return out
  }
}
