// RTN bit-exactness against PyPI gguf (tools/reference/ggml_fixtures.py) and precision rules.
import XCTest
import LLM
@testable import Compression

final class QuantRTNTests: XCTestCase {
  func testWritableTypeNames() throws {
    // The names the Lua face's `type` / `embedding_type` accept: every type GGMLCodec can write, and nothing else.
    XCTAssertEqual(try ECLD.ggmlType(named: "q2_k"), .q2_K)
    XCTAssertEqual(try ECLD.ggmlType(named: "Q5_K"), .q5_K)
    XCTAssertEqual(Set(ECLD.writableTypeNames), Set(GGMLCodec.quantizable.map { $0.description.lowercased() }))
    XCTAssertEqual(ECLD.writableTypeNames.last, "q2_k")
    XCTAssertThrowsError(try ECLD.ggmlType(named: "q8_1")) { e in XCTAssertTrue("\(e)".contains("allowed: f32, ")) }
    XCTAssertThrowsError(try ECLD.ggmlType(named: "q7")) { e in XCTAssertTrue("\(e)".contains("q2_k")) }
  }

  func testRTNMatchesGGUFBitExact() throws {
    let fx = try QuantFixtures.load("rtn_matrix.json")
    let rows = fx["rows"] as! Int, cols = fx["cols"] as! Int
    let W = QuantFixtures.floats(fx["weights"])
    let types = fx["types"] as! [[String: Any]]
    XCTAssertEqual(types.count, 7)
    for e in types {
      let t = GGMLType(name: e["type"] as! String)!
      for threads in [1, 2] {
        let m = try RTN.quantize(W, rows: rows, cols: cols, type: t, threads: threads)
        let got = Array(m.storage.buffer[m.offset..<(m.offset + m.byteCount)])
        XCTAssertEqual(got, QuantFixtures.bytes(e["bytes"]), "\(t) threads=\(threads)")
      }
    }
  }

  func testRTNErrors() {
    XCTAssertThrowsError(try RTN.quantize([Float](repeating: 0, count: 40), rows: 1, cols: 40, type: .q4_0))
    XCTAssertThrowsError(try RTN.quantize([Float](repeating: 0, count: 64), rows: 2, cols: 64, type: .q4_0))
    XCTAssertThrowsError(try RTN.quantize([Float](repeating: 0, count: 32), rows: 1, cols: 32, type: .q8_1))   // not writable
  }

  func testPrecisionRules() throws {
    let r = PrecisionRules.standard()
    XCTAssertEqual(r.type(for: "token_embd.weight", cols: 576), .q8_0)
    XCTAssertEqual(r.type(for: "output.weight", cols: 576), .q8_0)
    XCTAssertEqual(r.type(for: "blk.3.attn_output.weight", cols: 576), .q4_0)   // not the output head
    XCTAssertEqual(r.type(for: "blk.0.attn_norm.weight", cols: 576, rank: 1), .f32)
    let k = try PrecisionRules([PrecisionRule(#"ffn_down"#, .q6_K), PrecisionRule(#"attn_(q|k)\."#, .q3_K)], default: .q4_K)
    XCTAssertEqual(k.type(for: "blk.1.ffn_down.weight", cols: 1536), .q6_K)       // 1536 = 6·256
    XCTAssertEqual(k.type(for: "blk.1.ffn_up.weight", cols: 576), .q5_0)          // 576 not a multiple of 256
    XCTAssertEqual(k.type(for: "blk.1.ffn_down.weight", cols: 640), .q8_0)
    XCTAssertEqual(k.type(for: "blk.1.attn_q.weight", cols: 576), .q4_0)
    XCTAssertEqual(k.type(for: "blk.1.attn_q.weight", cols: 20), .f16)
    let two = try PrecisionRules([], default: .q2_K)                                 // decision 0701: Q2_K → Q4_0
    XCTAssertEqual(two.type(for: "blk.1.ffn_down.weight", cols: 1536), .q2_K)
    XCTAssertEqual(two.type(for: "blk.1.ffn_up.weight", cols: 576), .q4_0)
    XCTAssertEqual(try PrecisionRules([], default: .q5_K).type(for: "blk.1.ffn_up.weight", cols: 576), .q5_1)
    XCTAssertThrowsError(try PrecisionRules([PrecisionRule("(", .q8_0)], default: .q4_0)) { e in
      XCTAssertTrue("\(e)".contains("invalid regular expression"))
    }
    var rep = QuantReport()
    rep.add(name: "a", type: .q4_0, rows: 10, cols: 64)
    rep.add(name: "b", type: .q8_0, rows: 10, cols: 64)
    XCTAssertEqual(rep.totalBytes, 10 * 36 + 10 * 68)
    XCTAssertEqual(rep.bitsPerWeight, 6.5, accuracy: 1e-12)
    XCTAssertEqual(rep.entries[0].bitsPerWeight, 4.5, accuracy: 1e-12)
  }
}

final class QuantTensorQuantizerTests: XCTestCase {
  func testRulesAndMethodSelection() throws {
    let rows = 8, cols = 64
    let W = (0..<(rows * cols)).map { Float(($0 * 7919) % 101) / 500 - 0.1 }
    let rules = PrecisionRules.standard(linear: .q4_0)
    var I = [Double](repeating: 0, count: cols * cols)
    for i in 0..<cols { I[i * cols + i] = 1 + Double(i % 3) }
    let f = try GPTQFactor(hessian: I, cols: cols)
    let a = try TensorQuantizer.quantize(name: "blk.0.ffn_up.weight", W, rows: rows, cols: cols, rules: rules,
                                         method: .gptq(GPTQConfig()), factor: f)
    XCTAssertEqual(a.matrix.type, .q4_0); XCTAssertEqual(a.method, "gptq"); XCTAssertNotNil(a.gptqLoss)
    let b = try TensorQuantizer.quantize(name: "token_embd.weight", W, rows: rows, cols: cols, rules: rules,
                                         method: .gptq(GPTQConfig()), factor: nil)
    XCTAssertEqual(b.matrix.type, .q8_0); XCTAssertEqual(b.method, "rtn")
    let rtn = try RTN.quantize(W, rows: rows, cols: cols, type: .q8_0)
    XCTAssertEqual(b.matrix.dequantized(), rtn.dequantized())
    let f16 = try PrecisionRules([PrecisionRule("attn", .f16)], default: .q4_0)
    let c = try TensorQuantizer.quantize(name: "blk.0.attn_q.weight", W, rows: rows, cols: cols, rules: f16,
                                         method: .gptq(GPTQConfig()), factor: f)
    XCTAssertEqual(c.matrix.type, .f16); XCTAssertEqual(c.method, "rtn")
    var rep = QuantReport()
    rep.add(a); rep.add(b); rep.add(c)
    XCTAssertEqual(rep.totalBytes, rows * (36 + 68 + 128))
  }
}
