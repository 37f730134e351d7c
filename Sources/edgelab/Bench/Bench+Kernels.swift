import Foundation
import LLM
import TensorCore

/// `edgelab bench kernels`: the C kernels of Q2_K, Q3_K, Q5_K (int8 activations) and F16, BF16 (direct 16-bit)
/// against the path they replaced — each weight row decoded to Floats, then a Float dot
/// (`QuantizedMatrix.decodeRowsToFloat`) — in one run, paired:
/// - kernel: one matvec of a seeded 1536×768 matrix (cache-resident), 1 and 2 threads (also Q4_K and Q6_K, whose int8
///   kernels predate these, for scale); GB/s of weight bytes, GFLOP/s, and ratio = C-kernel rate ÷ float-path rate
///   (median of per-round ratios; rounds alternate the paths);
/// - model decode: tok/s of 32 greedy decoding steps after an 8-token prompt, 1 thread, C kernels vs float path in
///   paired rounds. F16/BF16: SmolLM2-135M with every linear matrix and the tied embedding in that type.
///   K-quants: SmolLM2's matrices are 576 wide, not a multiple of the 256-value super-block, so a random-weight
///   model of the same family with 256-multiple shapes (dim 768, 12 heads of 64, 4 KV heads, FFN 2048, 6 layers,
///   vocab 16384; every linear matrix and the tied embedding in the k-quant) — decode speed depends on the shapes
///   and types, not on the values (docs/decisions/0803-kquant-and-16-bit-kernels.md);
/// - prefill: tok/s of a 256-token prompt, 1 thread, the k-quant model in Q4_K and Q5_K: the int8 GEMM against F32
///   batch activations × decoded panels (`llm.batch_activations("float")`), paired rounds.
extension BenchSuite {
  static let kernels = BenchSuite(name: "kernels", summary: "Q2_K/Q3_K/Q5_K/F16/BF16 C kernels vs decode-rows-to-float (matvec GB/s, decode tok/s); Q4_K/Q5_K int8 GEMM prefill vs F32 batches") { report in
    let quick = report.quick
    let rounds = quick ? 2 : 5
    let types: [GGMLType] = [.q2_K, .q3_K, .q5_K, .f16, .bf16]
    report.note("quant_kernel_level", QuantKernelLevel.current.description)
    defer { QuantizedMatrix.decodeRowsToFloat = false; LLMThreads.set(ProcessInfo.processInfo.activeProcessorCount) }
    func paired(_ body: () throws -> Double) rethrows -> (c: [Double], float: [Double]) {
      var c = [Double](), f = [Double]()
      for _ in 0..<rounds {
        QuantizedMatrix.decodeRowsToFloat = false; c.append(try body())
        QuantizedMatrix.decodeRowsToFloat = true; f.append(try body())
      }
      QuantizedMatrix.decodeRowsToFloat = false
      return (c, f)
    }
    // Kernel level (Q4_K, Q6_K: int8 kernels that existed before, for scale).
    for t in types + [.q4_K, .q6_K] {
      for threads in [1, 2] {
        let (c, f) = try paired { try QuantKernelBench.run(types: [t], rows: 1536, cols: 768, threads: [threads], reps: 3)[0].kernelGBps }
        let bytes = Double(t.rowBytes(768)! * 1536)
        report.record("matvec_\(t)_t\(threads)_c_GBps", BenchLLM.median(c), unit: "GB/s", lowerIsBetter: false,
                      extra: ["float_path_GBps": BenchLLM.median(f), "ratio_c_to_float": BenchLLM.median(zip(c, f).map { $0 / $1 }),
                              "c_gflops": BenchLLM.median(c) * 1e9 / bytes * 2 * 1536 * 768 / 1e9,
                              "float_path_gflops": BenchLLM.median(f) * 1e9 / bytes * 2 * 1536 * 768 / 1e9, "load": BenchReport.loadavg()])
      }
    }
    // Model decode.
    LLMThreads.set(1)
    let smol = CLI.repoRoot().appendingPathComponent("assets/models/SmolLM2-135M-Instruct.Q4_1.gguf").path
    let smolBase: LlamaModel? = FileManager.default.fileExists(atPath: smol) ? try LlamaModel.load(path: smol) : nil
    let kBase = try LlamaModel.random(
      config: LlamaConfig(vocabSize: 16384, dim: 768, layers: 6, heads: [Int](repeating: 12, count: 6), kvHeads: [Int](repeating: 4, count: 6),
                          ffn: [Int](repeating: 2048, count: 6), headDim: 64, ropeTheta: 10000, rmsEps: 1e-5, contextLength: 256),
      tokenizer: Tokenizer.byteLevel(), seed: 3, std: 0.05)
    let steps = quick ? 8 : 32
    for t in types {
      guard let base = t.isQuantized ? kBase : smolBase else { report.note("decode_\(t)", "skipped: \(smol) missing"); continue }
      let model = try BenchKernels.converted(base, to: t)
      let prompt = (0..<8).map { Int32(($0 * 97) % 250 + 3) }
      func decode() throws -> Double {
        var cache = model.makeCache(reserve: 8 + steps)
        var logits = try model.forward(tokens: prompt, cache: &cache, lastOnly: true)
        let t0 = QuantKernelBench.now()
        for _ in 0..<steps {
          let next = logits.withUnsafeBufferPointer { Sampling.greedy.sample($0, rng: &BenchLLM.rng) }
          logits = try model.forward(tokens: [next], cache: &cache, lastOnly: true)
        }
        return Double(steps) / (QuantKernelBench.now() - t0)
      }
      _ = try decode()
      let (c, f) = try paired(decode)
      report.record("decode_\(t)_t1_c_tok_s", BenchLLM.median(c), unit: "tok/s", lowerIsBetter: false,
                    extra: ["float_path_tok_s": BenchLLM.median(f), "ratio_c_to_float": BenchLLM.median(zip(c, f).map { $0 / $1 }),
                            "model": t.isQuantized ? "random 6-layer dim-768 family model" : "SmolLM2-135M",
                            "weight_bytes_mb": Double(model.weightBytes) / 1e6, "load": BenchReport.loadavg()])
    }
    // Prefill of the k-quant model in Q4_K / Q5_K: the int8 GEMM against F32 batch activations × decoded panels.
    let promptLen = quick ? 64 : 256
    defer { QuantizedMatrix.batchActivations = .int8 }
    for t in [GGMLType.q4_K, .q5_K] {
      let model = try BenchKernels.converted(kBase, to: t)
      let prompt = (0..<promptLen).map { Int32(($0 * 131) % 250 + 3) }
      func prefill() throws -> Double {
        var cache = model.makeCache(reserve: promptLen)
        let t0 = QuantKernelBench.now()
        _ = try model.forward(tokens: prompt, cache: &cache, lastOnly: true)
        return Double(promptLen) / (QuantKernelBench.now() - t0)
      }
      _ = try prefill()
      var g = [Double](), f = [Double]()
      for _ in 0..<rounds {
        QuantizedMatrix.batchActivations = .int8; g.append(try prefill())
        QuantizedMatrix.batchActivations = .float; f.append(try prefill())
      }
      QuantizedMatrix.batchActivations = .int8
      report.record("prefill_\(t)_t1_int8_gemm_tok_s", BenchLLM.median(g), unit: "tok/s", lowerIsBetter: false,
                    extra: ["float_batch_tok_s": BenchLLM.median(f), "ratio_gemm_to_float": BenchLLM.median(zip(g, f).map { $0 / $1 }),
                            "prompt_tokens": promptLen, "model": "random 6-layer dim-768 family model", "load": BenchReport.loadavg()])
    }
  }
}

enum BenchKernels {
  /// `model` with every linear matrix and the embedding (tied output) stored as `type` (RTN through the codec).
  static func converted(_ model: LlamaModel, to type: GGMLType) throws -> LlamaModel {
    func q(_ w: WeightMatrix?) throws -> WeightMatrix? { try w?.quantized(as: type) }
    let layers = try model.layers.map { l in
      l.replacing(wq: try q(l.wq), wk: try q(l.wk), wv: try q(l.wv), wo: try q(l.wo), gate: try q(l.gate), up: try q(l.up), down: try q(l.down))
    }
    return try LlamaModel(config: model.config, tokenizer: model.tokenizer, embedding: model.embedding.quantized(as: type),
                          layers: layers, outputNorm: model.outputNorm, output: try q(model.output))
  }
}
