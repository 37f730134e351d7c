// Synthetic checkpoints load with the configuration they were written with, are deterministic in the seed (and
// independent of the shard size), hold the documented value distribution, and refuse bad sizes clearly;
// the streaming GGUF writer refuses out-of-order or missing tensors.
import Foundation
import XCTest
import TensorCore
@testable import LLM

final class SyntheticCheckpointTests: XCTestCase {
  func tempDir(_ tag: String) -> String {
    let d = NSTemporaryDirectory() + "edgelab-synth-\(tag)-\(getpid())"
    try? FileManager.default.removeItem(atPath: d)
    return d
  }

  func tinySpec(seed: UInt64 = 5, shard: Int = 50_000) throws -> SyntheticModelSpec {
    var s = try SyntheticModelSpec.preset("llama-3.1-8b", layers: 2)
    s.config = LlamaConfig(vocabSize: 320, dim: 64, layers: 2, heads: [4, 4], kvHeads: [2, 2], ffn: [96, 96], headDim: 16,
                           ropeTheta: 500000, contextLength: 512, ropeScaling: s.config.ropeScaling)
    s.seed = seed; s.maxShardBytes = shard
    return s
  }

  func testGeneratedCheckpointLoadsWithItsConfig() throws {
    let dir = tempDir("load")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let spec = try tinySpec()
    let files = try SyntheticCheckpoint.write(spec, directory: dir)
    XCTAssertTrue(files.contains("model.safetensors.index.json"))
    let m = try LlamaModel.load(huggingFaceDirectory: dir, keepWeightType: true)
    let c = m.config
    XCTAssertEqual([c.vocabSize, c.dim, c.layers, c.headDim], [320, 64, 2, 16])
    XCTAssertEqual(c.heads, [4, 4]); XCTAssertEqual(c.kvHeads, [2, 2]); XCTAssertEqual(c.ffn, [96, 96])
    XCTAssertEqual(c.ropeScaling, spec.config.ropeScaling)
    XCTAssertEqual(c.ropeFrequencyFactors, spec.config.ropeFrequencyFactors)
    XCTAssertEqual(m.layers[1].wq?.type, .bf16)
    XCTAssertNotNil(m.output)
    // Index total = tensor bytes = 2 bytes per parameter.
    let idx = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/model.safetensors.index.json"))) as! [String: Any]
    XCTAssertEqual((idx["metadata"] as! [String: Any])["total_size"] as? Int, 2 * c.parameterCount(tiedOutput: false))
    // Values: uniform in [−√3σ, √3σ) → mean ≈ 0, std ≈ σ (n = 6144 elements: the bounds are ≥ 8 standard errors).
    let f32 = try LlamaModel.load(huggingFaceDirectory: dir)
    let v = try f32.layers[0].gate!.floats()
    let mean = v.reduce(0, +) / Float(v.count), sd = (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(v.count)).squareRoot()
    XCTAssertEqual(mean, 0, accuracy: 0.002)
    XCTAssertEqual(sd, 0.02, accuracy: 0.001)
    XCTAssertLessThanOrEqual(v.map(abs).max()!, Float(3).squareRoot() * 0.02 * 1.004)   // BF16 rounding
    XCTAssertEqual(f32.layers[1].attnNorm, [Float](repeating: 1, count: 64))
    // The documented stream: element 0 of a tensor = BF16((2u − 1)·√3σ), u the first draw of RNG(seed).split(name).split(0).
    var g = RNG(seed: 5).split("model.layers.0.mlp.gate_proj.weight").split(0)
    let u = g.uniformFloat()
    XCTAssertEqual(v[0], FP16.float(fromBF16: FP16.bf16Bits(from: (2 * u - 1) * Float(3.0.squareRoot() * 0.02))))
  }

  func testDeterministicInSeedAndShardSize() throws {
    let a = tempDir("a"), b = tempDir("b"), c = tempDir("c")
    defer { for d in [a, b, c] { try? FileManager.default.removeItem(atPath: d) } }
    try SyntheticCheckpoint.write(try tinySpec(seed: 5, shard: 50_000), directory: a)
    try SyntheticCheckpoint.write(try tinySpec(seed: 5, shard: 1 << 30), directory: b, threads: 1)
    try SyntheticCheckpoint.write(try tinySpec(seed: 6, shard: 50_000), directory: c)
    let ma = try LlamaModel.load(huggingFaceDirectory: a), mb = try LlamaModel.load(huggingFaceDirectory: b)
    let mc = try LlamaModel.load(huggingFaceDirectory: c)
    XCTAssertFalse(FileManager.default.fileExists(atPath: b + "/model.safetensors.index.json"))
    XCTAssertEqual(try ma.embedding.floats(), try mb.embedding.floats())
    XCTAssertEqual(try ma.layers[1].down!.floats(), try mb.layers[1].down!.floats())
    XCTAssertNotEqual(try ma.layers[1].down!.floats(), try mc.layers[1].down!.floats())
  }

  func testPresetShapesAndBadSizes() throws {
    // Llama-3.1-8B: 8,030,261,248 parameters (the released model's count) → 16.06 GB in BF16.
    let l = try SyntheticModelSpec.preset("llama-3.1-8b")
    XCTAssertEqual(l.config.parameterCount(tiedOutput: false), 8_030_261_248)
    XCTAssertEqual(l.totalBytes, 2 * 8_030_261_248)
    XCTAssertEqual(try SyntheticModelSpec.preset("qwen3-8b").config.family, .qwen3)
    XCTAssertEqual(try SyntheticModelSpec.preset("mistral-nemo-12b").config.dim, 5120)
    func message(_ f: () throws -> Void) -> String { do { try f(); return "no error" } catch { return "\(error)" } }
    XCTAssertTrue(message { _ = try SyntheticModelSpec.preset("gpt-9") }.contains("allowed: llama-3.1-8b"))
    XCTAssertTrue(message { _ = try SyntheticModelSpec.preset("llama-3.1-8b", layers: 0) }.contains("layers must be in 1...4096"))
    // 4096 blocks of the 8B shape ≈ 1.8 TB: refused before anything is written.
    let dir = tempDir("big")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let big = message { try SyntheticCheckpoint.write(try SyntheticModelSpec.preset("llama-3.1-8b", layers: 4096), directory: dir) }
    XCTAssertTrue(big.contains("GB on disk") && big.contains("free"), big)
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [])
    var bad = try tinySpec(); bad.config.heads = [3, 3]
    XCTAssertTrue(message { try SyntheticCheckpoint.write(bad, directory: dir) }.contains("not a multiple"))
    try SyntheticCheckpoint.write(try tinySpec(), directory: dir)
    XCTAssertTrue(message { try SyntheticCheckpoint.write(try tinySpec(), directory: dir) }.contains("already holds a checkpoint"))
  }

  func testStreamWriterEqualsWholeWriterAndRefusesBadOrder() throws {
    let tok = try Tokenizer.byteLevel()
    let c = LlamaConfig(vocabSize: tok.vocabSize, dim: 32, layers: 1, heads: [2], kvHeads: [1], ffn: [64], headDim: 16)
    let m = try LlamaModel.random(config: c, tokenizer: tok, seed: 2)
    let whole = try m.ggufWriter()
    var layout = whole
    layout.tensors = try whole.tensors.map { try GGUFWriter.Tensor(name: $0.name, type: $0.type, dims: $0.dims) }
    let path = tempDir("stream") + ".gguf"
    defer { try? FileManager.default.removeItem(atPath: path) }
    let s = try GGUFStreamWriter(path: path, layout: layout)
    for t in whole.tensors {
      let sink = ByteArraySink()
      try t.emit(sink)
      let half = sink.bytes.count / 2                                   // in two parts
      try s.append(t.name, Array(sink.bytes[..<half])); try s.append(t.name, Array(sink.bytes[half...]))
    }
    try s.finish()
    XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: path))), try whole.bytes())
    let bad = try GGUFStreamWriter(path: path + ".bad", layout: layout)
    XCTAssertThrowsError(try bad.append(whole.tensors[1].name, [0])) { XCTAssertTrue("\($0)".contains("out of order")) }
    XCTAssertThrowsError(try bad.append(whole.tensors[0].name, [UInt8](repeating: 0, count: whole.tensors[0].byteCount + 1)))
    XCTAssertThrowsError(try bad.finish()) { XCTAssertTrue("\($0)".contains("finished before")) }
    XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".bad"))
  }
}
