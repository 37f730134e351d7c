import Compression
import Evaluation
import Foundation
import LLM
import TensorCore

/// `EDGELAB_ECLD_PARTS=frontier edgelab bench ecld`: the quantization-only frontier. Round-to-nearest of every
/// writable ggml type (EDGELAB_FRONTIER_TYPES, default q8_0,q6_k,q5_1,q5_0,q4_1,q4_k,q4_0,q3_k,q2_k) for the block
/// layers, with the token embedding at Q8_0 and, when EDGELAB_FRONTIER_EMBEDDING=both (default), also at the same
/// type as the layers (`_all` rows). A k-quant falls back per tensor where the row length is not a multiple of 256
/// (PrecisionRules). Each variant is written as GGUF and its size counted from the file: bits per weight =
/// 8 · (bytes of all tensors) / (elements of all tensors), and % of the same elements at F16. Scored against the F32
/// reference (context 512, EDGELAB_ECLD_EVAL_TOKENS per text) on the held-out news split (in domain) and the
/// HaluEval-QA knowledge passages (other domain): perplexity, KLD with a bootstrap CI and same-top-token rate.
enum FrontierBench {
  static let defaultTypes = "q8_0,q6_k,q5_1,q5_0,q4_1,q4_k,q4_0,q3_k,q2_k"

  static func run(_ report: BenchReport, _ base: LlamaModel, _ splits: TextSplits, evalTokens: Int) throws {
    let env = ProcessInfo.processInfo.environment
    let types = try (env["EDGELAB_FRONTIER_TYPES"] ?? defaultTypes).split(separator: ",").map { try ECLD.ggmlType(named: String($0)) }
    let embedding = env["EDGELAB_FRONTIER_EMBEDDING"] ?? "both"
    guard ["q8_0", "same", "both"].contains(embedding) else {
      throw CompressionError.invalidOption("EDGELAB_FRONTIER_EMBEDDING must be q8_0, same or both (got '\(embedding)')")
    }
    let texts = try GPTQSweepBench.heldOutTexts(report, splits, note: "frontier_texts")
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("edgelab-frontier-\(getpid())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }

    var variants: [(String, LlamaModel, [String: Any])] = []
    for type in types {
      let embeddings: [GGMLType?] = embedding == "both" ? [.q8_0, nil] : embedding == "same" ? [nil] : [.q8_0]
      for embeddingType in embeddings {
        let label = type.description.lowercased() + (embeddingType == nil ? "_all" : "")
        let rules = try PrecisionRules([PrecisionRule(#"^(token_embd|output)\.weight$"#, embeddingType ?? type)], default: type)
        let r = try ModelQuantizer.quantize(base, options: ModelQuantOptions(rules: rules, method: .rtn))
        let path = directory.appendingPathComponent("\(label).gguf").path
        try r.model.save(path)
        let file = try GGUFFile.load(path: path)
        let bytes = file.tensors.reduce(0) { $0 + $1.byteCount }, elements = file.tensors.reduce(0) { $0 + $1.elementCount }
        try? FileManager.default.removeItem(atPath: path)
        let bpw = Double(8 * bytes) / Double(elements)
        let extra: [String: Any] = ["file_tensor_bytes": bytes, "file_elements": elements, "bits_per_weight": bpw,
                                    "percent_of_f16": 100 * Double(bytes) / Double(2 * elements),
                                    "linear_bpw": ECLDBench.linearBPW(r.report), "types": r.report.variantLabel,
                                    "fallbacks": r.report.fallbacks.description, "seconds": r.seconds]
        print(String(format: "  %@: %d tensor bytes, %.3f bits/weight (%.1f %% of F16), %@", label, bytes, bpw,
                     100 * Double(bytes) / Double(2 * elements), r.report.variantLabel))
        variants.append((label, r.model, extra))
      }
    }
    try GPTQSweepBench.score(report, prefix: "frontier_rtn", variants, base: base, texts: texts, evalTokens: evalTokens)
  }
}
