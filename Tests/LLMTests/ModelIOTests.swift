import XCTest
import Foundation
import TensorCore
@testable import LLM

final class ModelIOTests: XCTestCase {
  var tmp: String!
  override func setUp() {
    tmp = NSTemporaryDirectory() + "edgelab-llm-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try? FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
  }
  override func tearDown() { try? FileManager.default.removeItem(atPath: tmp) }

  /// A tiny pruned-looking model: non-uniform heads and FFN widths per layer.
  static func tinyModel(seed: UInt64 = 1, tied: Bool = true) throws -> LlamaModel {
    let cfg = LlamaConfig(vocabSize: 259 + 3, dim: 32, layers: 3, heads: [4, 2, 0], kvHeads: [2, 1, 0], ffn: [64, 32, 96],
                          headDim: 8, ropeTheta: 10000, rmsEps: 1e-5, contextLength: 64)
    return try LlamaModel.random(config: cfg, tokenizer: Tokenizer.byteLevel(merges: ["h e", "l l", "he ll"]), seed: seed, std: 0.2, tiedOutput: tied)
  }

  func logits(_ m: LlamaModel, _ ids: [Int32]) throws -> [Float] { var c = m.makeCache(); return try m.forward(tokens: ids, cache: &c) }
  func maxDiff(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).map { abs($0 - $1) }.max() ?? .infinity }

  func testTinyNonUniformGGUFRoundTrip() throws {
    let m = try Self.tinyModel(tied: false)
    let ids = m.tokenizer.encode("hello world 42")
    XCTAssertEqual(ids.count, 11)  // "hell" "o" + 6 bytes of " world" + " " + "4" "2"
    let path = tmp + "/tiny.gguf"
    try m.save(path)
    let f = try GGUFFile.load(path: path)
    XCTAssertEqual(f["llama.attention.head_count"]?.intArray, [4, 2, 0])
    XCTAssertEqual(f["llama.feed_forward_length"]?.intArray, [64, 32, 96])
    let back = try LlamaModel.load(path: path)
    XCTAssertEqual(back.config, m.config)
    XCTAssertEqual(try logits(back, ids), try logits(m, ids))
    // Writing the re-loaded model again gives the same bytes.
    XCTAssertEqual(try back.ggufWriter().bytes(), try m.ggufWriter().bytes())
  }

  /// Models whose matrices are k-quants (256-blocks, as in common community files) save, load and run.
  func testKQuantModelRoundTrip() throws {
    let cfg = LlamaConfig(vocabSize: 262, dim: 256, layers: 2, heads: [4, 4], kvHeads: [2, 2], ffn: [512, 256],
                          headDim: 64, ropeTheta: 10000, rmsEps: 1e-5, contextLength: 64)
    let m = try LlamaModel.random(config: cfg, tokenizer: Tokenizer.byteLevel(), seed: 2, std: 0.05)
    func q(_ w: WeightMatrix?, _ t: GGMLType) throws -> WeightMatrix? { try w?.quantized(as: t) }
    let layers = try m.layers.map { l in
      LlamaLayer(attnNorm: l.attnNorm, wq: try q(l.wq, .q4_K), wk: try q(l.wk, .q4_K), wv: try q(l.wv, .q6_K), wo: try q(l.wo, .q4_K),
                 ffnNorm: l.ffnNorm, gate: try q(l.gate, .q4_K), up: try q(l.up, .q4_K), down: try q(l.down, .q6_K))
    }
    let qm = try LlamaModel(config: cfg, tokenizer: m.tokenizer, embedding: m.embedding.quantized(as: .q8_0), layers: layers,
                            outputNorm: m.outputNorm, output: nil)
    try qm.save(tmp + "/k.gguf")
    let f = try GGUFFile.load(path: tmp + "/k.gguf")
    XCTAssertEqual(f.tensor("blk.0.attn_q.weight")?.type, .q4_K); XCTAssertEqual(f.tensor("blk.1.ffn_down.weight")?.type, .q6_K)
    XCTAssertEqual(f["general.file_type"]?.int, 15)
    let ids: [Int32] = [1, 70, 80, 90, 100]
    let kept = try LlamaModel.load(path: tmp + "/k.gguf", keepQuantized: true), deq = try LlamaModel.load(path: tmp + "/k.gguf")
    let a = try logits(kept, ids), b = try logits(deq, ids), ref = try logits(m, ids)
    let scale = b.map { abs($0) }.max()!
    // Quantized kernels (int8-quantized activations) vs dequantized weights.
    XCTAssertLessThan(maxDiff(a, b), 0.02 * scale, "Δ \(maxDiff(a, b)), logit scale \(scale)")
    XCTAssertLessThan(maxDiff(b, ref), 0.5)       // 4/6-bit weights stay close to the F32 model
    XCTAssertGreaterThan(maxDiff(b, ref), 1e-4)   // ...but are really quantized
  }

  func testNonFiniteWeightsGiveAnErrorNotACrash() throws {
    let m = try Self.tinyModel()
    var norm = m.outputNorm; norm[3] = .nan
    let bad = try LlamaModel(config: m.config, tokenizer: m.tokenizer, embedding: m.embedding, layers: m.layers, outputNorm: norm, output: nil)
    XCTAssertThrowsError(try bad.generate("hello", maxTokens: 3, sampling: .init(temperature: 0.7, seed: 1))) {
      XCTAssertEqual($0 as? LlamaError, .nonFiniteLogits(position: 0))
    }
    XCTAssertTrue(try bad.perplexity("hello world", ctx: 8).perplexity.isNaN)
  }

  func testSafetensorsRoundTripAndPermutation() throws {
    let m = try Self.tinyModel()
    let ids = m.tokenizer.encode("<|im_start|>hello 123<|im_end|>")
    let dir = tmp + "/hf"
    try m.save(dir, format: .safetensors)
    let back = try LlamaModel.load(huggingFaceDirectory: dir)
    XCTAssertEqual(back.config.heads, m.config.heads)
    XCTAssertEqual(back.tokenizer.encode("hello 123"), m.tokenizer.encode("hello 123"))
    XCTAssertLessThan(maxDiff(try logits(back, ids), try logits(m, ids)), 1e-5)
    // Independent check of the Q/K permutation: HF row order + half-split RoPE ≡ GGUF order + adjacent pairs.
    let raw = try LlamaModel.load(huggingFaceDirectory: dir, permuteQK: false)
    XCTAssertEqual(raw.config.ropePairing, .halfSplit)
    XCTAssertLessThan(maxDiff(try logits(raw, ids), try logits(m, ids)), 1e-5)
    // ...and the wrong combination differs.
    XCTAssertGreaterThan(maxDiff(try logits(raw.withConfig { $0.ropePairing = .adjacent }, ids), try logits(m, ids)), 1e-3)
    // GGUF saved from the HF-order model is converted to GGUF order.
    try raw.save(tmp + "/from_hf.gguf")
    XCTAssertLessThan(maxDiff(try logits(LlamaModel.load(path: tmp + "/from_hf.gguf"), ids), try logits(m, ids)), 1e-5)
    // BF16 export loses precision but stays close.
    try m.save(tmp + "/bf16", format: .safetensors, dtype: .bf16)
    XCTAssertLessThan(maxDiff(try logits(LlamaModel.load(huggingFaceDirectory: tmp + "/bf16"), ids), try logits(m, ids)), 0.1)
  }

  func testShardedSafetensors() throws {
    let m = try Self.tinyModel()
    let dir = tmp + "/sharded"
    try m.save(dir, format: .safetensors)
    // Split model.safetensors into two shards plus an index.
    let whole = try SafetensorsFile.load(path: dir + "/model.safetensors")
    var a = SafetensorsWriter(), b = SafetensorsWriter(), map = [String: String]()
    for (i, n) in whole.names.enumerated() {
      let (shape, v) = try whole.floats(n)
      if i % 2 == 0 { try a.add(n, shape: shape, values: v); map[n] = "model-00001-of-00002.safetensors" }
      else { try b.add(n, shape: shape, values: v, dtype: .f32); map[n] = "model-00002-of-00002.safetensors" }
    }
    try a.write(path: dir + "/model-00001-of-00002.safetensors"); try b.write(path: dir + "/model-00002-of-00002.safetensors")
    try FileManager.default.removeItem(atPath: dir + "/model.safetensors")
    try JSONSerialization.data(withJSONObject: ["metadata": [:], "weight_map": map]).write(to: URL(fileURLWithPath: dir + "/model.safetensors.index.json"))
    let back = try LlamaModel.load(huggingFaceDirectory: dir)
    let ids: [Int32] = [5, 9, 100, 7]
    XCTAssertLessThan(maxDiff(try logits(back, ids), try logits(m, ids)), 1e-5)
  }

  func testWriteShardedSafetensors() throws {
    let m = try Self.tinyModel()
    let ids: [Int32] = [5, 9, 100, 7]
    let dir = tmp + "/written-shards"
    try m.save(dir, format: .safetensors)                       // an earlier single-file save in the same place
    let single = try SafetensorsFile.load(path: dir + "/model.safetensors")
    let totalBytes = single.tensors.values.reduce(0) { $0 + $1.end - $1.begin }
    let limit = totalBytes / 3
    try m.save(dir, format: .safetensors, maxShardBytes: limit)
    let files = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
    XCTAssertFalse(files.contains("model.safetensors"), "the stale single file must be removed: \(files)")
    let shards = files.filter { $0.hasPrefix("model-") }
    XCTAssertGreaterThanOrEqual(shards.count, 3)
    XCTAssertEqual(shards.first, String(format: "model-00001-of-%05d.safetensors", shards.count))
    // The index, read as plain JSON: total size, and every tensor mapped to the shard that holds it.
    let index = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/model.safetensors.index.json"))) as! [String: Any]
    XCTAssertEqual((index["metadata"] as! [String: Any])["total_size"] as? Int, totalBytes)
    let map = index["weight_map"] as! [String: String]
    XCTAssertEqual(Set(map.keys), Set(single.names))
    var seen = 0
    for f in shards {
      let sf = try SafetensorsFile.load(path: dir + "/" + f)
      let bytes = sf.tensors.values.reduce(0) { $0 + $1.end - $1.begin }
      XCTAssertTrue(bytes <= limit || sf.tensors.count == 1, "\(f): \(bytes) bytes > \(limit) with \(sf.tensors.count) tensors")
      for n in sf.names {
        XCTAssertEqual(map[n], f)
        XCTAssertEqual(try sf.floats(n).values, try single.floats(n).values)
        seen += 1
      }
    }
    XCTAssertEqual(seen, single.tensors.count)
    XCTAssertLessThan(maxDiff(try logits(LlamaModel.load(huggingFaceDirectory: dir), ids), try logits(m, ids)), 1e-5)
    // Saving unsharded again removes the shards and the index (a stale index would shadow the new file).
    try m.save(dir, format: .safetensors)
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("model") }, ["model.safetensors"])
    XCTAssertThrowsError(try SafetensorsWriter().writeSharded(directory: dir, maxShardBytes: 0))
  }

  func testSafetensorsFormatAndFuzz() throws {
    var w = SafetensorsWriter()
    try w.add("a", shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
    try w.add("h", shape: [4], values: [0.5, -1, 2, 65504], dtype: .f16)
    try w.add("b", shape: [2], values: [1.5, -3], dtype: .bf16)
    w.metadata = ["k": "v"]
    let bytes = try w.bytes()
    let hlen = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
    XCTAssertEqual(hlen % 8, 0)
    let f = try SafetensorsFile.parse(bytes: bytes)
    XCTAssertEqual(f.metadata, ["k": "v"])
    XCTAssertEqual(try f.floats("a").values, [1, 2, 3, 4, 5, 6])
    XCTAssertEqual(try f.floats("h").values, [0.5, -1, 2, 65504])
    XCTAssertEqual(try f.floats("b").values, [1.5, -3])
    XCTAssertThrowsError(try f.floats("zz"))
    // Truncations and corruptions: errors, never crashes.
    for n in 0..<bytes.count { XCTAssertThrowsError(try SafetensorsFile.parse(bytes: Array(bytes.prefix(n))), "prefix \(n)") }
    var rng = RNG(seed: 5)
    for _ in 0..<2000 {
      var c = bytes
      for _ in 0..<(1 + rng.int(below: 3)) { c[rng.int(below: c.count)] = UInt8(truncatingIfNeeded: rng.next()) }
      if let g = try? SafetensorsFile.parse(bytes: c) { for n in g.names { _ = try? g.floats(n) } }
    }
    var huge = bytes; for i in 0..<8 { huge[i] = 0xFF }
    XCTAssertThrowsError(try SafetensorsFile.parse(bytes: huge)) { guard case .badHeaderLength = $0 as? SafetensorsError else { return XCTFail("\($0)") } }
  }

  func testDefaultModelSaveKeepsQuantizedBytes() throws {
    let m = try LlamaModel.load(path: TestPaths.requireModel(), keepQuantized: true)
    let path = tmp + "/smol.gguf"
    try m.save(path)
    let a = try GGUFFile.load(path: TestPaths.defaultModel), b = try GGUFFile.load(path: path)
    XCTAssertEqual(Set(a.tensors.map(\.name)), Set(b.tensors.map(\.name)))
    for t in a.tensors {
      let u = try XCTUnwrap(b.tensor(t.name))
      XCTAssertEqual(u.type, t.type); XCTAssertEqual(u.dims, t.dims)
      XCTAssertTrue(a.data(t).elementsEqual(b.data(u)), t.name)
    }
    for k in ["llama.attention.head_count", "llama.rope.freq_base", "tokenizer.ggml.merges", "tokenizer.ggml.pre", "general.name"] {
      XCTAssertEqual(a[k]?.double ?? -1, b[k]?.double ?? -1, k)
      XCTAssertEqual(a[k]?.stringArray ?? [], b[k]?.stringArray ?? [], k)
      XCTAssertEqual(a[k]?.string, b[k]?.string, k)
    }
  }
}
