// The paper's model families against PyPI `transformers` (tools/reference/families_reference.py wrote the tiny
// random-weight models and their logits into Fixtures/families): Llama-3.1 (llama3 RoPE scaling), Qwen3 (Q/K
// head norms, head_dim ≠ dim/heads), Mistral NeMo layout (head_dim ≠ dim/heads), Qwen2 (Q/K/V biases); each read
// from the HF directory (safetensors + config.json) and from the GGUF file written in llama.cpp's naming.
import Foundation
import TensorCore
import XCTest
@testable import LLM

final class ModelFamiliesTests: XCTestCase {
  static let dir = TestPaths.fixtures + "/families"
  static let families = ["llama31", "qwen3", "mistral", "qwen2"]

  struct Reference { let ids: [Int32]; let vocab: Int; let logits: [Float] }

  func reference(_ family: String) throws -> Reference {
    let meta = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.dir + "/\(family).json"))) as! [String: Any]
    let ids = (meta["ids"] as! [Int]).map { Int32($0) }, vocab = meta["vocab"] as! Int
    let bytes = try TestPaths.readFixture("families/\(family).logits.f32")
    let logits = bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    XCTAssertEqual(logits.count, ids.count * vocab)
    return Reference(ids: ids, vocab: vocab, logits: logits)
  }

  func logits(_ m: LlamaModel, _ ids: [Int32]) throws -> [Float] {
    var cache = m.makeCache()
    return try m.forward(tokens: ids, cache: &cache)
  }

  func maxDiff(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count)
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
  }

  /// Logits within 5e-5 of transformers' (|logits| ≤ 6.2 in these fixtures; F32 weights both sides; measured ≤ 6e-6).
  static let tolerance: Float = 5e-5

  func testGGUFMatchesTransformers() throws {
    for f in Self.families {
      let r = try reference(f)
      let m = try LlamaModel.load(path: Self.dir + "/\(f).gguf")
      let d = maxDiff(try logits(m, r.ids), r.logits)
      print("\(f) GGUF: max |Δlogit| vs transformers \(d)")
      XCTAssertLessThan(d, Self.tolerance, "\(f) GGUF: max |Δlogit| \(d)")
    }
  }

  func testSafetensorsMatchesTransformers() throws {
    for f in Self.families {
      let r = try reference(f)
      let m = try LlamaModel.load(huggingFaceDirectory: Self.dir + "/\(f)")
      let d = maxDiff(try logits(m, r.ids), r.logits)
      print("\(f) safetensors: max |Δlogit| vs transformers \(d)")
      XCTAssertLessThan(d, Self.tolerance, "\(f) safetensors: max |Δlogit| \(d)")
    }
  }

  func testFamilySwitchesAreReadFromTheFiles() throws {
    let llama = try LlamaModel.load(path: Self.dir + "/llama31.gguf").config
    XCTAssertEqual(llama.family, .llama); XCTAssertEqual(llama.ropePairing, .adjacent)
    XCTAssertEqual(llama.ropeFrequencyFactors?.count, 8)
    let qwen = try LlamaModel.load(path: Self.dir + "/qwen3.gguf")
    XCTAssertEqual(qwen.config.family, .qwen3); XCTAssertEqual(qwen.config.ropePairing, .halfSplit)
    XCTAssertEqual(qwen.config.headDim, 24); XCTAssertEqual(qwen.config.dim / qwen.config.heads[0], 16)
    XCTAssertEqual(qwen.config.ropeTheta, 1e6)
    XCTAssertEqual(qwen.layers[0].qNorm?.count, 24)
    let mistral = try LlamaModel.load(huggingFaceDirectory: Self.dir + "/mistral").config
    XCTAssertEqual(mistral.headDim, 16); XCTAssertEqual(mistral.dim / mistral.heads[0], 20)
    let hfLlama = try LlamaModel.load(huggingFaceDirectory: Self.dir + "/llama31").config
    XCTAssertEqual(hfLlama.ropeScaling, Llama3RoPEScaling(factor: 8, lowFrequencyFactor: 1, highFrequencyFactor: 4, originalContextLength: 64))
  }

  /// Each quirk matters: dropping it moves the logits far outside the tolerance (so the tests above can fail).
  func testQuirksChangeTheLogits() throws {
    let r = try reference("llama31")
    let plain = try LlamaModel.load(path: Self.dir + "/llama31.gguf").withConfig { $0.ropeFrequencyFactors = nil }
    XCTAssertGreaterThan(maxDiff(try logits(plain, r.ids), r.logits), 0.05)
    let q = try reference("qwen3")
    let qwen = try LlamaModel.load(path: Self.dir + "/qwen3.gguf")
    var layers = qwen.layers
    for i in layers.indices { layers[i].qNorm = [Float](repeating: 1, count: 24); layers[i].kNorm = layers[i].qNorm }
    let flat = try LlamaModel(config: qwen.config, tokenizer: qwen.tokenizer, embedding: qwen.embedding, layers: layers,
                              outputNorm: qwen.outputNorm, output: qwen.output)
    XCTAssertGreaterThan(maxDiff(try logits(flat, q.ids), q.logits), 0.05)
  }

  /// llama3 factors by hand for θ = 10000, d = 16, factor 8, low 1, high 4, L = 64 (high band λ < 16, low band λ > 64):
  ///   i=0: inv 1,            λ = 2π = 6.283        → 1
  ///   i=1: inv 10000^(−1/8) = 0.3162278, λ = 19.8692 → s = (64/19.8692 − 1)/3 = 0.740359, 1/((1−s)/8 + s) = 1.293976
  ///   i=2: inv 0.1,          λ = 62.8319           → s = (1.018592 − 1)/3 = 0.0061973, 1/(0.1242253 + 0.0061973) = 7.667386
  ///   i≥3: λ ≥ 198.7 > 64                          → 8
  func testLlama3FrequencyFactorsByHand() throws {
    let f = Llama3RoPEScaling(factor: 8, lowFrequencyFactor: 1, highFrequencyFactor: 4, originalContextLength: 64)
      .frequencyFactors(ropeDim: 16, theta: 10000)
    let hand: [Float] = [1, 1.293976, 7.667386, 8, 8, 8, 8, 8]
    for (a, b) in zip(f, hand) { XCTAssertEqual(a, b, accuracy: 2e-5) }
    // The GGUF file's rope_freqs.weight (convert_hf_to_gguf's computation) carries the same numbers.
    let file = try LlamaModel.load(path: Self.dir + "/llama31.gguf").config.ropeFrequencyFactors!
    for (a, b) in zip(file, hand) { XCTAssertEqual(a, b, accuracy: 2e-5) }
    // The rotation angle of pair i at position p is p·θ^(−2i/d)/f_i.
    let table = RoPETable(pos0: 5, n: 1, ropeDim: 16, theta: 10000, factors: f)
    XCTAssertEqual(table.cos[2], Float(cos(5 * 0.1 / 7.667386)), accuracy: 1e-6)
  }

  /// Export keeps every family's switches: GGUF (qwen3.* keys, key_length, rope_freqs) and HF (model_type,
  /// rope_scaling, q_norm) round trips give the same logits.
  func testExportRoundTrips() throws {
    let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("families-\(getpid())").path
    try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: tmp) }
    for f in Self.families {
      let r = try reference(f)
      let m = try LlamaModel.load(huggingFaceDirectory: Self.dir + "/\(f)")
      try m.save(tmp + "/\(f).gguf")
      let g = try GGUFFile.load(path: tmp + "/\(f).gguf")
      let arch = try g.string("general.architecture")
      XCTAssertEqual(arch, f.hasPrefix("qwen") ? f : "llama")
      XCTAssertNotNil(g[arch + ".attention.key_length"])
      XCTAssertEqual(g.tensor("rope_freqs.weight") != nil, f == "llama31")
      XCTAssertEqual(g.tensor("blk.0.attn_q_norm.weight") != nil, f == "qwen3")
      XCTAssertLessThan(maxDiff(try logits(LlamaModel.load(path: tmp + "/\(f).gguf"), r.ids), r.logits), Self.tolerance, f)
      try m.save(tmp + "/\(f)-hf", format: .safetensors)
      XCTAssertLessThan(maxDiff(try logits(LlamaModel.load(huggingFaceDirectory: tmp + "/\(f)-hf"), r.ids), r.logits),
                        Self.tolerance, f)
    }
  }

  /// BF16/F16 safetensors load without materialising F32 when asked (`keepWeightType`): matrices stay 16-bit
  /// (half the bytes), Llama-family Q/K rows are permuted as 16-bit rows, and the logits equal the F32 load's.
  func testSixteenBitSafetensorsStaySixteenBit() throws {
    let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("families16-\(getpid())").path
    defer { try? FileManager.default.removeItem(atPath: tmp) }
    for (f, dtype) in [("llama31", SafetensorsWriter.DType.bf16), ("qwen3", .f16), ("mistral", .bf16)] {
      let r = try reference(f)
      try LlamaModel.load(huggingFaceDirectory: Self.dir + "/\(f)").save(tmp + "/\(f)", format: .safetensors, dtype: dtype)
      let wide = try LlamaModel.load(huggingFaceDirectory: tmp + "/\(f)")
      let narrow = try LlamaModel.load(huggingFaceDirectory: tmp + "/\(f)", keepWeightType: true)
      XCTAssertEqual(narrow.layers[0].wq?.type, dtype == .bf16 ? .bf16 : .f16, f)
      XCTAssertEqual(narrow.embedding.type, dtype == .bf16 ? .bf16 : .f16, f)
      let matrices = { (m: LlamaModel) in
        ([m.embedding, m.output] + m.layers.flatMap { [$0.wq, $0.wk, $0.wv, $0.wo, $0.gate, $0.up, $0.down] }).reduce(0) { $0 + ($1?.byteCount ?? 0) }
      }
      XCTAssertEqual(matrices(narrow) * 2, matrices(wide), f)
      XCTAssertLessThan(maxDiff(try logits(narrow, r.ids), try logits(wide, r.ids)), 1e-4, f)
      XCTAssertLessThan(maxDiff(try logits(narrow, r.ids), r.logits), 0.1, "\(f): 16-bit weights vs transformers F32")
    }
  }

  /// config.json settings: a used sliding window bounds the context (exact inside it, refused beyond); an unused
  /// one (Qwen's use_sliding_window = false) does not; an unsupported activation is refused by name.
  func testConfigSettingsAreHonouredOrRefused() throws {
    let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("familiescfg-\(getpid())").path
    defer { try? FileManager.default.removeItem(atPath: tmp) }
    func variant(_ f: String, _ change: (inout [String: Any]) -> Void) throws -> String {
      let d = tmp + "/\(f)-\(UUID().uuidString)"
      try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
      for file in ["model.safetensors", "tokenizer.json"] { try FileManager.default.copyItem(atPath: Self.dir + "/\(f)/" + file, toPath: d + "/" + file) }
      var cfg = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.dir + "/\(f)/config.json"))) as! [String: Any]
      change(&cfg)
      try JSONSerialization.data(withJSONObject: cfg).write(to: URL(fileURLWithPath: d + "/config.json"))
      return d
    }
    let r = try reference("mistral")
    let windowed = try LlamaModel.load(huggingFaceDirectory: variant("mistral") { $0["sliding_window"] = 8 })
    XCTAssertEqual(windowed.config.contextLength, 8)
    XCTAssertLessThan(maxDiff(try logits(windowed, Array(r.ids.prefix(8))), Array(r.logits.prefix(8 * r.vocab))), Self.tolerance)
    XCTAssertThrowsError(try logits(windowed, r.ids)) { XCTAssertEqual($0 as? LlamaError, .contextOverflow(12, max: 8)) }
    let qwen = try LlamaModel.load(huggingFaceDirectory: variant("qwen3") { $0["sliding_window"] = 4; $0["use_sliding_window"] = false })
    XCTAssertEqual(qwen.config.contextLength, 256)
    XCTAssertThrowsError(try LlamaModel.load(huggingFaceDirectory: variant("llama31") { $0["hidden_act"] = "gelu" })) {
      XCTAssertTrue("\($0)".contains("gelu"), "\($0)")
    }
  }

  /// The trainable model computes the same logits (Q/K norms, rope factors); Qwen2 biases are refused by name.
  func testTrainableModelSupportsOrRefuses() throws {
    for f in ["llama31", "qwen3", "mistral"] {
      let r = try reference(f)
      let tm = try TrainableLlama(LlamaModel.load(path: Self.dir + "/\(f).gguf"), requiresGrad: false)
      XCTAssertLessThan(maxDiff(try tm.forward(tokens: r.ids).toArray(), r.logits), 1e-3, f)
      if f == "qwen3" { XCTAssertTrue(tm.namedParameters().contains { $0.0 == "blk.1.attn_k_norm.weight" }) }
      XCTAssertLessThan(maxDiff(try logits(tm.toModel(), r.ids), r.logits), Self.tolerance, f)
    }
    XCTAssertThrowsError(try TrainableLlama(LlamaModel.load(path: Self.dir + "/qwen2.gguf"))) {
      XCTAssertTrue("\($0)".contains("biases"), "\($0)")
    }
  }

  /// A rebuilt layer that drops a family tensor is an error naming it, never a silently different model.
  func testMissingFamilyTensorIsAnError() throws {
    let m = try LlamaModel.load(path: Self.dir + "/qwen3.gguf")
    var layers = m.layers
    layers[1] = LlamaLayer(attnNorm: layers[1].attnNorm, wq: layers[1].wq, wk: layers[1].wk, wv: layers[1].wv, wo: layers[1].wo,
                           ffnNorm: layers[1].ffnNorm, gate: layers[1].gate, up: layers[1].up, down: layers[1].down)
    XCTAssertThrowsError(try LlamaModel(config: m.config, tokenizer: m.tokenizer, embedding: m.embedding, layers: layers,
                                        outputNorm: m.outputNorm, output: m.output)) {
      XCTAssertTrue("\($0)".contains("blk.1.attn_q_norm.weight"), "\($0)")
    }
  }

  func testUnsupportedArchitectureAndRopeScalingAreNamed() throws {
    var w = try LlamaModel.load(path: Self.dir + "/qwen3.gguf").ggufWriter()
    w.set("general.architecture", .string("gemma3"))
    XCTAssertThrowsError(try LlamaModel.load(gguf: GGUFFile(storage: ByteStorage(bytes: w.bytes())))) { XCTAssertTrue("\($0)".contains("gemma3"), "\($0)") }
    XCTAssertThrowsError(try Llama3RoPEScaling.fromHuggingFace(["rope_type": "yarn", "factor": 4.0])) {
      XCTAssertTrue("\($0)".contains("yarn"), "\($0)")
    }
  }
}
