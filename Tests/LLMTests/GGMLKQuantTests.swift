// k-quant quantizers (Q2_K, Q3_K, Q4_K, Q5_K, Q6_K) byte for byte against ggml's C reference quantizers
// (quantize_row_q*_K_ref), and the decoder against the C dequantizer (which the fixture script checked equal to
// PyPI gguf). Fixture: tools/reference/kquant_fixtures.py → Fixtures/ggml/kquants.json.
import XCTest
import TensorCore
@testable import LLM

final class GGMLKQuantTests: XCTestCase {
  func testQuantizeMatchesGGMLReferenceBitExact() throws {
    let fx = try GGMLFixture.load("kquants.json")
    let x = GGMLFixture.floats(fx["input"])
    let cases = fx["cases"] as! [String]
    XCTAssertEqual(x.count, fx["count"] as? Int)
    XCTAssertEqual(x.count, 256 * cases.count)
    let entries = fx["types"] as! [[String: Any]]
    XCTAssertEqual(Set(entries.map { $0["type"] as! String }), ["Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"])
    for e in entries {
      let t = GGMLType(rawValue: UInt32(e["id"] as! Int))!
      let want = GGMLFixture.bytes(e["quant"])
      let got = try GGMLCodec.quantize(t, x)
      XCTAssertEqual(got.count, want.count, "\(t)")
      let bad = zip(got, want).enumerated().filter { $0.element.0 != $0.element.1 }.map { $0.offset }
      let blocks = Set(bad.map { $0 / t.blockBytes }).sorted().map { cases[$0] }
      XCTAssertTrue(bad.isEmpty, "\(t): \(bad.count) bytes differ from ggml's C reference, in super-blocks \(blocks); first byte \(bad.first ?? -1)")
    }
  }

  func testDequantizeMatchesGGMLReferenceBitExact() throws {
    let fx = try GGMLFixture.load("kquants.json")
    let count = fx["count"] as! Int
    for e in fx["types"] as! [[String: Any]] {
      let t = GGMLType(rawValue: UInt32(e["id"] as! Int))!
      let want = GGMLFixture.floats(e["dequant"])
      let got = try GGMLCodec.dequantize(t, GGMLFixture.bytes(e["quant"]), count: count)
      let bad = (0..<count).filter { got[$0].bitPattern != want[$0].bitPattern }
      XCTAssertTrue(bad.isEmpty, "\(t): \(bad.count) values differ, first at \(bad.first ?? -1)")
    }
  }

  func testRowsQuantizeLikeConcatenatedBlocks() throws {
    // Each super-block is independent: quantizing one block alone gives the same bytes as inside a longer row.
    var rng = RNG(seed: 21)
    let x = (0..<256 * 3).map { _ in Float(rng.normal()) * 0.04 }
    for t in [GGMLType.q2_K, .q5_K] {
      let all = try GGMLCodec.quantize(t, x)
      let second = try GGMLCodec.quantize(t, Array(x[256..<512]))
      XCTAssertEqual(Array(all[t.blockBytes..<2 * t.blockBytes]), second, "\(t)")
    }
  }
}
