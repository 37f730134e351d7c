import XCTest
import LLM
@testable import Compression

final class PipelineTests: XCTestCase {
  let texts = (0..<40).map { "Document \($0): the quick brown fox jumps over the lazy dog near river \($0 * 7)." }

  func testPipelineComposesStagesAndAccountsBytes() throws {
    let m = try Tiny.model(std: 0.3)
    var o = ECLDOptions(prune: PruneOptions(ffnRatio: 0.3, headRatio: 0.5), recovery: .refitDistill,
                        quantize: ModelQuantOptions(rules: .standard(linear: .q4_0), method: .gptq(GPTQConfig())),
                        calibrationWindows: 4, calibrationLength: 32, distillWindows: 4)
    o.distill.steps = 3; o.distill.topK = 8
    let r = try ECLD.compress(m, calibration: texts, options: o)
    XCTAssertEqual(r.model.config.ffn, [64, 64, 64]); XCTAssertEqual(r.model.config.heads, [2, 2, 2])
    XCTAssertEqual(r.model.layers[0].down?.type, .q4_0)
    XCTAssertEqual(r.distillHistory.count, 3)
    XCTAssertEqual(r.stageSeconds.map(\.0), ["calibrate", "prune", "refit", "teacher", "distill", "quantize"])
    XCTAssertEqual(r.bytes, r.model.weightBytes)
    XCTAssertLessThan(r.bitsPerWeight, 9)
    // quantization-only baseline keeps the shape; pruning-only keeps F32
    let q = try ECLD.compress(m, calibration: texts, options: ECLDOptions(quantize: ModelQuantOptions()))
    XCTAssertEqual(q.model.config, m.config)
    let p = try ECLD.compress(m, calibration: texts, options: ECLDOptions(prune: PruneOptions(ffnRatio: 0.3), calibrationWindows: 2, calibrationLength: 16))
    XCTAssertEqual(p.model.layers[0].down?.type, .f32)
    XCTAssertLessThan(p.linearParameters, Pruner.linearParameters(m))
  }
}
