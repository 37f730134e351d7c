// GGMLCodec against PyPI gguf (fixtures from tools/reference/ggml_fixtures.py) and against independent checks.
import Foundation
import XCTest
import TensorCore
@testable import LLM

enum GGMLFixture {
  static let dir: String = {
    var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast()
    return parts.joined(separator: "/") + "/Fixtures/ggml"
  }()

  static func load(_ name: String) throws -> [String: Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name))
    return try JSONSerialization.jsonObject(with: data) as! [String: Any]
  }

  static func bytes(_ s: Any?) -> [UInt8] { [UInt8](Data(base64Encoded: s as! String)!) }

  static func floats(_ s: Any?) -> [Float] {
    let b = bytes(s)
    return b.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
  }
}

final class GGMLCodecTests: XCTestCase {
  func testQuantizeMatchesGGUFBitExact() throws {
    let fx = try GGMLFixture.load("codec.json")
    let x = GGMLFixture.floats(fx["input"])
    XCTAssertEqual(x.count, fx["count"] as? Int)
    let entries = fx["quantized"] as! [[String: Any]]
    XCTAssertEqual(entries.count, 8)
    for e in entries {
      let t = GGMLType(rawValue: UInt32(e["id"] as! Int))!
      let want = GGMLFixture.bytes(e["quant"])
      let got = try GGMLCodec.quantize(t, x)
      XCTAssertEqual(got.count, want.count, "\(t)")
      let bad = zip(got, want).enumerated().filter { $0.element.0 != $0.element.1 }.map { $0.offset }
      XCTAssertTrue(bad.isEmpty, "\(t): \(bad.count) bytes differ from gguf, first at \(bad.first ?? -1) (block \((bad.first ?? 0) / max(1, t.blockBytes)))")
    }
  }

  func testDequantizeMatchesGGUFBitExact() throws {
    let fx = try GGMLFixture.load("codec.json")
    var cases: [(GGMLType, [UInt8], [Float])] = []
    for e in fx["quantized"] as! [[String: Any]] {
      cases.append((GGMLType(rawValue: UInt32(e["id"] as! Int))!, GGMLFixture.bytes(e["quant"]), GGMLFixture.floats(e["dequant"])))
    }
    for e in fx["random_blocks"] as! [[String: Any]] {
      cases.append((GGMLType(rawValue: UInt32(e["id"] as! Int))!, GGMLFixture.bytes(e["bytes"]), GGMLFixture.floats(e["dequant"])))
    }
    XCTAssertEqual(cases.count, 18)
    for (t, b, want) in cases {
      let got = try GGMLCodec.dequantize(t, b, count: want.count)
      let bad = (0..<want.count).filter { got[$0].bitPattern != want[$0].bitPattern && !(got[$0].isNaN && want[$0].isNaN) }
      XCTAssertTrue(bad.isEmpty, "\(t): \(bad.count) values differ, first at \(bad.first ?? -1): \(bad.first.map { "\(got[$0]) vs \(want[$0])" } ?? "")")
    }
  }

  func testHalfConversionAgainstFloat16() {
    // Every half bit pattern decodes exactly like Swift's Float16 (an independent implementation).
    for h in 0...UInt16.max {
      let ref = Float(Float16(bitPattern: h))
      let got = FP16.float(fromBits: h)
      if ref.isNaN { XCTAssertTrue(got.isNaN); continue }
      XCTAssertEqual(got.bitPattern, ref.bitPattern, "half \(h)")
    }
    // Float → half: round-to-nearest-even like Float16(Float), across normal, subnormal, tie and overflow values.
    var rng = RNG(seed: 11)
    var probes: [Float] = [0, -0, 1, -1, 65504, 65519.99, 65520, 65536, 1e9, .infinity, -.infinity,
                           6.1035156e-05, 5.9604645e-08, 2.9802322e-08, 2.9802326e-08, 1e-10, 0.1, 1.0009766, 1.0004883]
    for _ in 0..<200_000 {
      let bits = UInt32(truncatingIfNeeded: rng.next())
      let f = Float(bitPattern: bits & 0xBFFF_FFFF | 0x0000_0000)
      if f.isFinite { probes.append(f) }
      probes.append(Float(rng.normal()) * Float(pow(2.0, Double(Int(rng.next() % 40)) - 28)))
    }
    for h in stride(from: 0, to: 0x7c00, by: 1) {   // exact ties between neighbouring halves
      let a = Float(Float16(bitPattern: UInt16(h))), b = Float(Float16(bitPattern: UInt16(h + 1)))
      probes.append((a + b) / 2)
    }
    var mismatches = 0
    for f in probes where FP16.bits(from: f) != Float16(f).bitPattern { mismatches += 1 }
    XCTAssertEqual(mismatches, 0)
    XCTAssertEqual(FP16.bits(from: .nan) & 0x7e00, 0x7e00)
  }

  func testBF16Rounding() {
    XCTAssertEqual(FP16.bf16Bits(from: 1.0), 0x3f80)
    XCTAssertEqual(FP16.bf16Bits(from: Float(bitPattern: 0x3f80_8000)), 0x3f80)   // tie → even
    XCTAssertEqual(FP16.bf16Bits(from: Float(bitPattern: 0x3f81_8000)), 0x3f82)   // tie → even (up)
    XCTAssertEqual(FP16.bf16Bits(from: Float(bitPattern: 0x3f80_8001)), 0x3f81)
    XCTAssertEqual(FP16.float(fromBF16: 0xc000), -2)
  }

  func testKQuantRoundTripError() throws {
    // No gguf-py quantizer exists for k-quants: check that encode→decode (decoder checked above) is close,
    // and much closer than a coarser format would be.
    var rng = RNG(seed: 5)
    let n = 256 * 16
    let x = (0..<n).map { _ in Float(rng.normal()) * 0.03 }
    func rmse(_ t: GGMLType) throws -> Float {
      let y = try GGMLCodec.dequantize(t, try GGMLCodec.quantize(t, x), count: n)
      return (zip(x, y).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Float(n)).squareRoot()
    }
    let rms: Float = 0.03
    let e3k = try rmse(.q3_K), e4k = try rmse(.q4_K), e6k = try rmse(.q6_K), e4 = try rmse(.q4_0), e8 = try rmse(.q8_0)
    XCTAssertLessThan(e3k, 0.25 * rms, "Q3_K rmse \(e3k)")
    XCTAssertLessThan(e4k, e3k)
    // Uniform quantizer bounds: step ≈ range/levels; RMSE ≈ step/√12. Gaussian blocks span ~±2.5σ.
    XCTAssertLessThan(e4k, 0.12 * rms, "Q4_K rmse \(e4k)")
    XCTAssertLessThan(e6k, 0.03 * rms, "Q6_K rmse \(e6k)")
    XCTAssertLessThan(e4k, e4, "Q4_K should beat Q4_0 (\(e4k) vs \(e4))")
    XCTAssertLessThan(e6k, e4k)
    XCTAssertLessThan(e8, e6k)
    // Zero and constant super-blocks decode exactly.
    for t in [GGMLType.q3_K, .q4_K, .q6_K] {
      let z = [Float](repeating: 0, count: 256)
      XCTAssertEqual(try GGMLCodec.dequantize(t, try GGMLCodec.quantize(t, z), count: 256), z)
    }
  }

  func testQuantizeIdempotentOnDecodedValues() throws {
    // Decoded values re-encode to the same bytes for the 32-blocks (they lie on the grid).
    var rng = RNG(seed: 9)
    let x = (0..<32 * 40).map { _ in Float(rng.normal()) }
    for t in [GGMLType.q8_0, .q4_0, .q5_0] {
      let q = try GGMLCodec.quantize(t, x)
      let y = try GGMLCodec.dequantize(t, q, count: x.count)
      let y2 = try GGMLCodec.dequantize(t, try GGMLCodec.quantize(t, y), count: x.count)
      let maxDiff = zip(y, y2).map { abs($0 - $1) }.max()!
      XCTAssertLessThan(maxDiff, 2e-3, "\(t)")
    }
  }

  func testErrors() {
    let x = [Float](repeating: 1, count: 33)
    XCTAssertThrowsError(try GGMLCodec.quantize(.q4_0, x)) { e in
      XCTAssertEqual(e as? GGMLCodecError, .countNotMultipleOfBlock(type: .q4_0, count: 33, blockSize: 32))
      XCTAssertTrue("\(e)".contains("multiple"))
    }
    XCTAssertThrowsError(try GGMLCodec.quantize(.q8_1, [Float](repeating: 0, count: 32))) { e in
      XCTAssertEqual(e as? GGMLCodecError, .unsupported(type: .q8_1, operation: "quantize"))
    }
    XCTAssertThrowsError(try GGMLCodec.dequantize(.q8_1, [UInt8](repeating: 0, count: 36), count: 32))
    XCTAssertThrowsError(try GGMLCodec.dequantize(.q4_0, [UInt8](repeating: 0, count: 10), count: 32)) { e in
      XCTAssertEqual(e as? GGMLCodecError, .bufferTooSmall(needed: 18, got: 10))
    }
    XCTAssertThrowsError(try GGMLCodec.byteCount(.f32, count: -1))
  }
}
