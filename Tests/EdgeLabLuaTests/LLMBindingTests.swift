import XCTest
import Foundation
@testable import EdgeLabLua
import LuaBridge
import LLM

/// edgelab.llm from Lua, on the default model (skipped when assets/ has not been fetched).
final class LLMBindingTests: XCTestCase {
  static var modelPath: String { Repo.root.appendingPathComponent("assets/models/SmolLM2-135M-Instruct.Q4_1.gguf").path }

  func testLoadInfoChatPerplexityAndErrors() throws {
    guard FileManager.default.fileExists(atPath: Self.modelPath) else {
      throw XCTSkip("assets missing: \(Self.modelPath) (run `edgelab fetch`)")
    }
    let lua = try Repo.state()
    let r = try lua.run("""
      local llm = require("edgelab").llm
      local m = llm.load(..., { dequantize = true })   -- F32: the greedy answer below is the F32 one
      local info = m:info()
      local answer, gi = m:chat("What is the capital of France?", { max_tokens = 12 })
      local ppl, pi = m:perplexity("The quick brown fox jumps over the lazy dog. " ..
                                   "The dog sleeps in the sun all afternoon.", { ctx = 16 })
      local lp = m:logprobs("Hello world")
      local ids = m:encode("Hello 42")
      return info.layers, info.heads[1], info.vocab, answer:find("Paris") ~= nil, gi.finish,
             ppl > 1 and ppl < 1000, pi.windows, #lp.logprobs, #lp.tokens, m:decode(ids), #ids, tostring(m):sub(1, 11)
    """, args: [.string(Self.modelPath)])
    XCTAssertEqual(r, [30, 9, 49152, true, "eos", true, 2, 1, 2, "Hello 42", 4, "edgelab.LLM"])
    XCTAssertThrowsError(try lua.run("require('edgelab').llm.load(..., { quantised = true })", name: "@t.lua", args: [.string(Self.modelPath)])) { e in
      XCTAssertTrue("\(e)".contains("quantised"), "\(e)")
    }
    XCTAssertThrowsError(try lua.run("require('edgelab').llm.load('/nonexistent.gguf')", name: "@t.lua")) { e in
      XCTAssertTrue("\(e)".contains("not found"), "\(e)")
    }
  }

  /// compress.quantize_checkpoint streams a checkpoint on disk to a GGUF that llm.load reads; llm.synthetic and
  /// quantize_checkpoint reject bad options by name.
  func testQuantizeCheckpointAndSyntheticFromLua() throws {
    let dir = NSTemporaryDirectory() + "edgelab-qckpt-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let c = LlamaConfig(vocabSize: 300, dim: 64, layers: 2, heads: [4, 4], kvHeads: [2, 2], ffn: [96, 96], headDim: 16,
                        contextLength: 256)
    try SyntheticCheckpoint.write(SyntheticModelSpec(config: c, tiedOutput: false, seed: 1, std: 0.1), directory: dir + "/hf")
    let lua = try Repo.state()
    let r = try lua.run("""
      local dir = ...
      local e = require("edgelab")
      local text = string.rep("The quick brown fox jumps over the lazy dog. ", 4)
      local info = e.compress.quantize_checkpoint(dir .. "/hf", dir .. "/q.gguf",
        { method = "gptq", calibration_windows = 2, calibration_length = 16, texts = { text } })
      local m = e.llm.load(dir .. "/q.gguf")
      return info.layers, info.variant, info.bytes, #info.layer_seconds, m:info().layers, info.gptq_loss > 0
    """, args: [.string(dir)])
    XCTAssertEqual(r.count, 6)
    XCTAssertEqual(r[0], .integer(2)); XCTAssertEqual(r[1], .string("gptq-q4_0")); XCTAssertEqual(r[3], .integer(2))
    XCTAssertEqual(r[4], .integer(2)); XCTAssertEqual(r[5], .boolean(true))
    // Streamed pruning first: one block dropped by Block Influence, FFN 96 → 64 with the refit.
    let p = try lua.run("""
      local dir = ...
      local e = require("edgelab")
      local text = string.rep("The quick brown fox jumps over the lazy dog. ", 4)
      local info = e.compress.quantize_checkpoint(dir .. "/hf", dir .. "/p.gguf", { type = "q8_0", calibration_windows = 2,
        calibration_length = 16, texts = { text }, prune = { ffn_ratio = 0.34, drop_layers = 1 }, recovery = "refit" })
      local m = e.llm.load(dir .. "/p.gguf")
      return info.layers, #info.kept_layers, m:info().ffn[1]
    """, args: [.string(dir)])
    XCTAssertEqual(p, [.integer(1), .integer(1), .integer(64)])
    for (call, word) in [("e.llm.synthetic(d .. '/s', { dtype = 'f8' })", "dtype"), ("e.llm.synthetic(d .. '/s', { preset = 'gpt-9' })", "allowed"),
                         ("e.llm.synthetic(d .. '/s', { shard_mb = 0 })", "shard_mb"),
                         ("e.compress.quantize_checkpoint(d .. '/hf', d .. '/x.gguf', { layers = 3 })", "layers must be in 1...2"),
                         ("e.compress.quantize_checkpoint(d .. '/hf', d .. '/x.gguf', { type = 'q9_9' })", "q9_9"),
                         ("e.compress.quantize_checkpoint(d .. '/hf', d .. '/x.gguf', { prune = { ffn_ratio = 0.2 }, recovery = 'distill' })", "recovery must be"),
                         ("e.compress.quantize_checkpoint(d .. '/hf', d .. '/x.gguf', { prune = { ffn_ratios = 0.2 } })", "ffn_ratios")] {
      XCTAssertThrowsError(try lua.run("local d = ...; local e = require('edgelab'); \(call)", name: "@t.lua", args: [.string(dir)]), call) { e in
        XCTAssertTrue("\(e)".contains(word), "\(call): \(e)")
      }
    }
  }

  /// compress.distill with source = "teacher": the windows are sampled from the teacher and cached (EDGELAB_CACHE).
  func testDistillFromTeacherCorpus() throws {
    guard FileManager.default.fileExists(atPath: Self.modelPath) else {
      throw XCTSkip("assets missing: \(Self.modelPath) (run `edgelab fetch`)")
    }
    let dir = NSTemporaryDirectory() + "edgelab-teacher-cache-\(getpid())"
    setenv("EDGELAB_CACHE", dir, 1)
    defer { unsetenv("EDGELAB_CACHE"); try? FileManager.default.removeItem(atPath: dir) }
    let lua = try Repo.state()
    let r = try lua.run("""
      local c = require("edgelab").compress
      local m = require("edgelab").llm.load(...)
      local s, info = c.distill(m, m, { source = "teacher", windows = 2, length = 16, steps = 1, batch_size = 1, top_k = 4, seed = 3 })
      -- a model distilled into itself: the KD loss is ~0 (int8 teacher activations vs the F32 student), far below
      -- what a renormalised top-4 target would charge (−T² · mean log top-4 mass, T = 2), decision 0712
      local bias = -4 * info.teacher_log_top_mass
      return info.steps, #info.kd, info.teacher_tail_mass > 0.05 and info.teacher_tail_mass < 1, bias > 1, info.kd[1] < 0.02 * bias
    """, args: [.string(Self.modelPath)])
    XCTAssertEqual(r, [1, 1, true, true, true])
    let files = try FileManager.default.contentsOfDirectory(atPath: dir)
    XCTAssertEqual(files.count, 1)
    XCTAssertTrue(files[0].hasPrefix("teacher-corpus-") && files[0].hasSuffix(".json"), "\(files)")
    XCTAssertThrowsError(try lua.run("local m = require('edgelab').llm.load(...); require('edgelab').compress.distill(m, m, { source = 'web' })",
                                     name: "@t.lua", args: [.string(Self.modelPath)])) { e in
      XCTAssertTrue("\(e)".contains("source must be calibration or teacher"), "\(e)")
    }
  }

  func testSaveShardedSafetensorsFromLua() throws {
    guard FileManager.default.fileExists(atPath: Self.modelPath) else {
      throw XCTSkip("assets missing: \(Self.modelPath) (run `edgelab fetch`)")
    }
    let dir = NSTemporaryDirectory() + "edgelab-shards-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let lua = try Repo.state()
    _ = try lua.run("""
      local path, dir = ...
      require("edgelab").llm.load(path):save(dir, { format = "safetensors", dtype = "bf16", shard_mb = 100 })
    """, args: [.string(Self.modelPath), .string(dir)])
    let files = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
    // SmolLM2-135M in BF16 is ≈ 270 MB of weights: three shards of ≤ 100 MB, an index, config and tokenizer.
    XCTAssertEqual(files, ["config.json", "model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                           "model-00003-of-00003.safetensors", "model.safetensors.index.json", "tokenizer.json"])
    for bad in ["{ format = 'gguf', shard_mb = 10 }", "{ format = 'safetensors', shard_mb = -1 }", "{ format = 'safetensors', shard_MB = 1 }"] {
      XCTAssertThrowsError(try lua.run("local p, d = ...; require('edgelab').llm.load(p):save(d, \(bad))", name: "@t.lua",
                                       args: [.string(Self.modelPath), .string(dir + "/bad")]), bad) { e in
        XCTAssertTrue("\(e)".contains("shard"), "\(e)")
      }
    }
  }

  func testQuickstartSmoke() throws {
    guard FileManager.default.fileExists(atPath: Self.modelPath) else {
      throw XCTSkip("assets missing: \(Self.modelPath) (run `edgelab fetch`)")
    }
    let out = NSTemporaryDirectory() + "edgelab-quickstart-\(getpid())"
    setenv("EDGELAB_OUTPUTS", out, 1)
    defer { unsetenv("EDGELAB_OUTPUTS"); try? FileManager.default.removeItem(atPath: out) }
    let cwd = FileManager.default.currentDirectoryPath
    FileManager.default.changeCurrentDirectoryPath(Repo.root.path)
    defer { FileManager.default.changeCurrentDirectoryPath(cwd) }
    let lua = try Repo.state(smoke: true)
    _ = try lua.runFile(Repo.root.appendingPathComponent("experiments/quickstart.lua").path)
    let files = FileManager.default.enumerator(atPath: out)?.compactMap { $0 as? String } ?? []
    let found = try XCTUnwrap(files.first { $0.hasPrefix("quickstart/") && $0.hasSuffix("/results.csv") }, "\(files)")
    let csv = try String(contentsOfFile: out + "/" + found, encoding: .utf8)
    XCTAssertTrue(csv.contains("answer_mentions_paris,1"), csv)
    XCTAssertTrue(csv.contains("perplexity,"), csv)
  }
}

/// The measurement API from Lua on the default model: the file's format kept by default, F32 on request,
/// special tokens alike in encode / logprobs / perplexity, token ids as input, stop token and ids from chat.
final class LLMMeasurementBindingTests: XCTestCase {
  func testDefaultLoadKeepsQ4_1AndTheMeasurementOptions() throws {
    guard FileManager.default.fileExists(atPath: LLMBindingTests.modelPath) else {
      throw XCTSkip("assets missing: \(LLMBindingTests.modelPath) (run `edgelab fetch`)")
    }
    let lua = try Repo.state()
    let r = try lua.run("""
      local llm = require("edgelab").llm
      local m = llm.load(...)
      local info = m:info()
      local chat = "<|im_start|>user\\nHi there<|im_end|>\\n"
      local enc, lp = m:encode(chat), m:logprobs(chat)
      local same = #enc == #lp.tokens
      for i = 1, #enc do same = same and enc[i] == lp.tokens[i] end
      local plain = m:encode(chat, { special = false })
      local text = string.rep("The quick brown fox jumps over the lazy dog. ", 4)
      local p_text, pi = m:perplexity(text, { ctx = 16, protocol = "llama.cpp" })
      local p_ids = m:perplexity(m:encode(text), { ctx = 16, protocol = "llama.cpp" })
      local p_full, fi = m:perplexity(text, { ctx = 16 })
      local answer, gi = m:generate("<|im_start|>user\\nWhat is the capital of France?<|im_end|>\\n<|im_start|>assistant\\n",
                                    { max_tokens = 12 })
      local ok_bad = pcall(m.perplexity, m, text, { protocol = "llamacpp" })
      return info.quantized, info.weight_types.q4_1, info.weight_types.f32 == nil, enc[1], same, #plain > #enc,
             p_text == p_ids, pi.tokens == pi.windows * 7, fi.tokens > pi.tokens, pi.protocol,
             #gi.ids == gi.tokens, gi.finish, gi.stop_text, ok_bad
    """, args: [.string(LLMBindingTests.modelPath)])
    XCTAssertEqual(r, [true, 210, true, 1, true, true, true, true, true, "llama.cpp", true, "eos", "<|im_end|>", false])
    let f = try lua.run("""
      local m = require("edgelab").llm.load(..., { dequantize = true })
      local i = m:info()
      return i.quantized, i.weight_types.f32, i.weight_bytes > 4 * 1e8
    """, args: [.string(LLMBindingTests.modelPath)])
    XCTAssertEqual(f, [false, 211, true])
  }

  func testClockIsMonotonicWallSeconds() throws {
    let lua = try Repo.state()
    let r = try lua.run("""
      local e = require "edgelab"
      local t0, c0 = e.clock(), os.clock()
      local x = 0
      for i = 1, 3e6 do x = x + i end
      local t1 = e.clock()
      return t1 > t0, t1 - t0 < 60, math.type(t0)
    """)
    XCTAssertEqual(r, [true, true, "float"])
  }
}
