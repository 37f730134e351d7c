// The layer-streamed quantizer (StreamedQuantizer) writes byte for byte the GGUF file of the in-memory pipeline
// (LlamaModel.load(huggingFaceDirectory:) + ModelQuantizer.quantize + save) for RTN and sequential GPTQ, per
// family, on tiny synthetic sharded BF16 checkpoints; bad sizes are clear errors.
import Foundation
import XCTest
import LLM
import TensorCore
@testable import Compression

final class StreamedQuantTests: XCTestCase {
  static func checkpoint(family: ModelFamily, tied: Bool, seed: UInt64 = 3) throws -> String {
    let dir = NSTemporaryDirectory() + "edgelab-streamed-\(family.rawValue)-\(tied)-\(getpid())"
    try? FileManager.default.removeItem(atPath: dir)
    let c = LlamaConfig(vocabSize: 300, dim: 64, layers: 3, heads: [4, 4, 4], kvHeads: [2, 2, 2], ffn: [96, 96, 96], headDim: 16,
                        ropeTheta: family == .llama ? 500000 : 1e6, contextLength: 256,
                        ropePairing: family == .llama ? .adjacent : .halfSplit, family: family,
                        ropeScaling: family == .llama ? Llama3RoPEScaling(factor: 8, originalContextLength: 64) : nil)
    // std 0.15 so hidden states and GPTQ Hessians are far from trivial; small shards so blocks span files.
    try SyntheticCheckpoint.write(SyntheticModelSpec(config: c, tiedOutput: tied, seed: seed, std: 0.15, maxShardBytes: 20_000),
                                  directory: dir)
    return dir
  }

  func inMemoryBytes(_ dir: String, _ o: ModelQuantOptions, _ windows: [[Int32]]) throws -> [UInt8] {
    let m = try LlamaModel.load(huggingFaceDirectory: dir)
    return try ModelQuantizer.quantize(m, options: o, windows: windows).model.ggufWriter().bytes()
  }

  func streamedBytes(_ dir: String, _ o: ModelQuantOptions, _ windows: [[Int32]], rowChunk: Int) throws -> (bytes: [UInt8], result: StreamedQuantResult) {
    let path = dir + "/streamed.gguf"
    defer { try? FileManager.default.removeItem(atPath: path) }
    let r = try StreamedQuantizer.quantize(checkpoint: HuggingFaceCheckpoint(directory: dir), to: path, options: o,
                                           windows: windows, rowChunk: rowChunk)
    return (Array(try Data(contentsOf: URL(fileURLWithPath: path))), r)
  }

  func testStreamedEqualsInMemoryBitForBit() throws {
    let windows: [[Int32]] = {
      var g = RNGShim(11)
      return (0..<3).map { _ in (0..<20).map { _ in Int32(g.next() % 300) } }
    }()
    for (family, tied) in [(ModelFamily.llama, false), (.qwen3, true), (.qwen2, false)] {
      let dir = try Self.checkpoint(family: family, tied: tied)
      defer { try? FileManager.default.removeItem(atPath: dir) }
      XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/model.safetensors.index.json"), "sharded")
      for method in [QuantMethod.rtn, .gptq(GPTQConfig())] {
        let o = ModelQuantOptions(rules: .standard(linear: .q4_0), method: method)
        let w = method == .rtn ? [] : windows
        let expected = try inMemoryBytes(dir, o, w)
        // Row chunks that do not divide the vocabulary (300) exercise the chunked embedding/output rounding.
        let (got, r) = try streamedBytes(dir, o, w, rowChunk: 7)
        XCTAssertEqual(got.count, expected.count, "\(family) \(method.name)")
        XCTAssertTrue(got == expected, "\(family) \(method.name): streamed GGUF differs from the in-memory one")
        XCTAssertEqual(r.layerSeconds.count, 3)
        XCTAssertEqual(r.outputBytes, expected.count)
        XCTAssertEqual(r.gptqLoss == nil, method == .rtn)
        // The file is a loadable model of the right family.
        let f = try GGUFFile.parse(bytes: got)
        XCTAssertEqual(try f.string("general.architecture"), family.rawValue)
        XCTAssertEqual(f.tensor("blk.0.attn_q.weight")?.type, .q4_0)
        XCTAssertEqual(f.tensor("token_embd.weight")?.type, .q8_0)
        XCTAssertEqual(f.tensor("output.weight") == nil, tied)
      }
    }
  }

  /// Pruned (width, heads, depth) + refit + quantized (RTN and GPTQ) in one streamed run: the same bytes as
  /// loading the checkpoint, pruning and refitting in memory, quantizing and saving.
  func testStreamedPruneAndQuantizeEqualsInMemory() throws {
    var g = RNGShim(5)
    let windows = (0..<3).map { _ in (0..<20).map { _ in Int32(g.next() % 300) } }
    let dir = try Self.checkpoint(family: .qwen3, tied: false)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    for (prune, method) in [(PruneOptions(ffnRatio: 0.25, headRatio: 0.5, headMode: .kvGroups), QuantMethod.rtn),
                            (PruneOptions(ffnRatio: 0.3, headRatio: 0.5, dropLayers: 1), .gptq(GPTQConfig()))] {
      let o = ModelQuantOptions(rules: .standard(linear: .q8_0), method: method)
      let m = try LlamaModel.load(huggingFaceDirectory: dir)
      let plan = try Pruner.plan(model: m, stats: try Calibration.collect(model: m, windows: windows), options: prune)
      let refit = try Refit.apply(original: m, pruned: try Pruner.apply(model: m, plan: plan), plan: plan, windows: windows)
      let expected = try ModelQuantizer.quantize(refit, options: o, windows: windows).model.ggufWriter().bytes()
      let path = dir + "/pruned.gguf"
      let r = try StreamedQuantizer.quantize(checkpoint: HuggingFaceCheckpoint(directory: dir), to: path, options: o, windows: windows,
                                             rowChunk: 64, prune: StreamedPruneOptions(options: prune))
      let got = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
      XCTAssertTrue(got == expected, "\(method.name), drop \(prune.dropLayers): streamed pruned GGUF differs (\(got.count) vs \(expected.count) bytes)")
      XCTAssertEqual(r.layers, 3 - prune.dropLayers)
      XCTAssertEqual(r.plan?.keepLayers, plan.keepLayers)
      XCTAssertEqual(try LlamaModel.load(path: path).config.ffn, refit.config.ffn)
    }
  }

  /// Streaming only the first n blocks writes the n-block model the in-memory pipeline writes for the same blocks.
  func testLayerLimitWritesTheTruncatedModel() throws {
    let dir = try Self.checkpoint(family: .llama, tied: false)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/two.gguf"
    let r = try StreamedQuantizer.quantize(checkpoint: HuggingFaceCheckpoint(directory: dir), to: path,
                                           options: ModelQuantOptions(rules: .standard(linear: .q8_0)), layers: 2)
    XCTAssertEqual(r.layers, 2)
    let m = try LlamaModel.load(path: path)
    XCTAssertEqual(m.config.layers, 2)
    XCTAssertNil(try GGUFFile.load(path: path).tensor("blk.2.attn_q.weight"))
  }

  func testBadSizesAreClearErrors() throws {
    let dir = try Self.checkpoint(family: .llama, tied: false)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let ck = try HuggingFaceCheckpoint(directory: dir)
    let path = dir + "/bad.gguf"
    func message(_ f: () throws -> Void) -> String {
      do { try f(); return "no error" } catch { return "\(error)" }
    }
    let o = ModelQuantOptions(rules: .standard(linear: .q4_0))
    XCTAssertTrue(message { _ = try StreamedQuantizer.quantize(checkpoint: ck, to: path, options: o, layers: 4) }.contains("layers must be in 1...3, got 4"))
    XCTAssertTrue(message { _ = try StreamedQuantizer.quantize(checkpoint: ck, to: path, options: o, rowChunk: 0) }.contains("row_chunk"))
    let tooBig = message { _ = try StreamedQuantizer.quantize(checkpoint: ck, to: path, options: o, memoryLimitBytes: 1000) }
    XCTAssertTrue(tooBig.contains("needs about") && tooBig.contains("GB limit"), tooBig)
    XCTAssertFalse(FileManager.default.fileExists(atPath: path), "nothing written on refusal")
    // The Llama-3.1-8B shape's estimate for GPTQ with 4 × 128 tokens is within 8 GB, and reported in bytes.
    let big = try SyntheticModelSpec.preset("llama-3.1-8b").config
    let est = StreamedQuantizer.estimatedPeakBytes(config: big, options: ModelQuantOptions(method: .gptq(GPTQConfig())), windowTokens: 512, rowChunk: 4096)
    XCTAssertGreaterThan(est, 4 * 218_112_000)                 // at least one block in F32
    XCTAssertLessThan(est, 8_000_000_000)
  }
}
