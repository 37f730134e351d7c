// Synthetic checkpoints: a Hugging Face directory (config.json, tokenizer.json, sharded safetensors + index) of a
// given family and size with random weights, so paper-scale pipelines can be run without downloading 8B weights.
// Weights: every matrix element uniform in [−√3·σ, √3·σ) (standard deviation σ, default 0.02 as HF's
// initializer_range), RMSNorm weights 1, Qwen2 biases uniform with the same σ. Deterministic from the seed: the
// stream of tensor T's elements [k·2²⁰, (k+1)·2²⁰) comes from RNG(seed).split(T's HF name).split(k), so the bytes
// do not depend on thread count or shard size. a = Float(√3·σ) computed in Double. Written shard by shard, tensor by tensor, 2²⁰-element chunk by
// chunk (the shard's header first, from the known shapes) — memory is O(chunk), never the model.
// Presets are the public config.json shapes of the paper's models (Llama-3.1-8B, Qwen3-8B, Mistral-NeMo-12B);
// the tokenizer is EdgeLab's 259-token byte-level one (the vocabulary size of the embedding is the preset's).
import Foundation
import TensorCore

public struct SyntheticModelSpec: Sendable {
  public var config: LlamaConfig
  public var tiedOutput: Bool
  public var seed: UInt64 = 0
  /// Standard deviation of the matrix elements.
  public var std: Double = 0.02
  public var dtype: SafetensorsWriter.DType = .bf16
  /// Upper bound on the tensor bytes of one shard (a larger tensor gets a shard of its own).
  public var maxShardBytes: Int = 2 << 30

  public init(config: LlamaConfig, tiedOutput: Bool, seed: UInt64 = 0, std: Double = 0.02,
              dtype: SafetensorsWriter.DType = .bf16, maxShardBytes: Int = 2 << 30) {
    self.config = config; self.tiedOutput = tiedOutput; self.seed = seed; self.std = std; self.dtype = dtype
    self.maxShardBytes = maxShardBytes
  }

  public static let presetNames = ["llama-3.1-8b", "qwen3-8b", "mistral-nemo-12b"]

  /// A preset's shape (config.json of the released model), with `layers` overriding the block count.
  public static func preset(_ name: String, layers: Int? = nil) throws -> SyntheticModelSpec {
    var c: LlamaConfig
    switch name {
    case "llama-3.1-8b":
      c = LlamaConfig(vocabSize: 128256, dim: 4096, layers: 32, heads: [], kvHeads: [], ffn: [], headDim: 128,
                      ropeTheta: 500000, contextLength: 131072, ropePairing: .adjacent, family: .llama,
                      ropeScaling: Llama3RoPEScaling(factor: 8, lowFrequencyFactor: 1, highFrequencyFactor: 4, originalContextLength: 8192))
      c.heads = [32]; c.kvHeads = [8]; c.ffn = [14336]
    case "qwen3-8b":
      c = LlamaConfig(vocabSize: 151936, dim: 4096, layers: 36, heads: [], kvHeads: [], ffn: [], headDim: 128,
                      ropeTheta: 1_000_000, rmsEps: 1e-6, contextLength: 40960, ropePairing: .halfSplit, family: .qwen3)
      c.heads = [32]; c.kvHeads = [8]; c.ffn = [12288]
    case "mistral-nemo-12b":
      c = LlamaConfig(vocabSize: 131072, dim: 5120, layers: 40, heads: [], kvHeads: [], ffn: [], headDim: 128,
                      ropeTheta: 1_000_000, contextLength: 1_024_000, ropePairing: .adjacent, family: .llama)
      c.heads = [32]; c.kvHeads = [8]; c.ffn = [14336]
    default:
      throw LlamaError.badConfig("unknown synthetic preset '\(name)' (allowed: \(presetNames.joined(separator: ", ")))")
    }
    if let n = layers {
      guard (1...LlamaConfig.maxLayers).contains(n) else { throw LlamaError.badConfig("layers must be in 1...\(LlamaConfig.maxLayers), got \(n)") }
      c.layers = n
    }
    c.heads = [Int](repeating: c.heads[0], count: c.layers); c.kvHeads = [Int](repeating: c.kvHeads[0], count: c.layers)
    c.ffn = [Int](repeating: c.ffn[0], count: c.layers)
    return SyntheticModelSpec(config: c, tiedOutput: false)
  }

  /// Every tensor of the checkpoint in write order: (HF name, shape, initial value kind).
  var tensors: [(name: String, shape: [Int], fill: Fill)] {
    LlamaModel.ggufLayout(config: config, tiedOutput: tiedOutput).filter { $0.field != "rope_freqs.weight" }.map { s in
      let fill: Fill = s.isMatrix ? .uniform : (s.field.hasSuffix(".bias") ? .uniform : .ones)
      return (LlamaModel.hfName(s.name), s.isMatrix ? [s.rows, s.cols] : [s.cols], fill)
    }
  }
  enum Fill { case uniform, ones }

  var elementBytes: Int { dtype == .f32 ? 4 : 2 }

  /// Bytes of tensor data (the files add headers of a few hundred kB).
  public var totalBytes: Int { tensors.reduce(0) { $0 + $1.shape.reduce(1, *) * elementBytes } }
}

public enum SyntheticCheckpoint {
  static let chunkElements = 1 << 20

  /// Write `spec` into `dir` (created if needed). Refuses a directory that already holds config.json or weights,
  /// and a model that does not fit the free disk space. Returns the file names written.
  @discardableResult
  public static func write(_ spec: SyntheticModelSpec, directory dir: String, threads: Int = 2) throws -> [String] {
    let c = spec.config
    try c.validate()
    guard spec.std.isFinite, spec.std >= 0 else { throw LlamaError.badConfig("std must be finite and ≥ 0, got \(spec.std)") }
    guard spec.maxShardBytes > 0 else { throw LlamaError.badConfig("max_shard_bytes must be > 0, got \(spec.maxShardBytes)") }
    if spec.config.family != .llama && c.ropePairing != .halfSplit {
      throw LlamaError.badConfig("\(c.family.rawValue) checkpoints use Hugging Face Q/K order (ropePairing halfSplit)")
    }
    let fm = FileManager.default
    try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
    for f in try fm.contentsOfDirectory(atPath: dir) where f == "config.json" || f.hasSuffix(".safetensors") || f.hasSuffix(".index.json") {
      throw LlamaError.badConfig("'\(dir)' already holds a checkpoint (\(f)); give an empty or new directory")
    }
    var fs = statvfs()
    if statvfs(dir, &fs) == 0 {
      let free = Int(fs.f_bavail) * Int(fs.f_frsize), need = spec.totalBytes + (64 << 20)
      guard need <= free else {
        throw LlamaError.badConfig(String(format: "synthetic model needs %.2f GB on disk, only %.2f GB free in '%@'",
                                          Double(need) / 1e9, Double(free) / 1e9, dir))
      }
    }
    // Shards: consecutive tensors up to maxShardBytes each.
    let all = spec.tensors
    var shards: [[Int]] = [], current: [Int] = [], size = 0
    for (i, t) in all.enumerated() {
      let b = t.shape.reduce(1, *) * spec.elementBytes
      if !current.isEmpty && size + b > spec.maxShardBytes { shards.append(current); current = []; size = 0 }
      current.append(i); size += b
    }
    if !current.isEmpty { shards.append(current) }
    let root = RNG(seed: spec.seed)
    var files: [String] = [], map: [String: String] = [:]
    for (k, members) in shards.enumerated() {
      let file = shards.count == 1 ? "model.safetensors" : String(format: "model-%05d-of-%05d.safetensors", k + 1, shards.count)
      let entries = members.map { all[$0] }.map {
        SafetensorsWriter.HeaderEntry(name: $0.name, dtype: spec.dtype.rawValue, shape: $0.shape, byteCount: $0.shape.reduce(1, *) * spec.elementBytes)
      }
      let w = try BinaryFileWriter(path: dir + "/" + file)
      try w.write(try SafetensorsWriter.header(entries, metadata: ["format": "pt", "producer": "EdgeLab synthetic seed \(spec.seed)"]))
      for i in members {
        try writeTensor(all[i].name, count: all[i].shape.reduce(1, *), fill: all[i].fill, spec: spec, rng: root, threads: threads, to: w)
        map[all[i].name] = file
      }
      try w.finish()
      files.append(file)
    }
    if shards.count > 1 {
      try SafetensorsWriter.writeIndex(directory: dir, weightMap: map, totalSize: spec.totalBytes)
      files.append("model.safetensors.index.json")
    }
    try LlamaModel.writeHuggingFaceConfig(directory: dir, config: c, tokenizer: try Tokenizer.byteLevel(),
                                          tiedOutput: spec.tiedOutput, dtype: spec.dtype)
    return files + ["config.json", "tokenizer.json"]
  }

  /// One tensor's elements, generated and encoded in batches of chunks (parallel over chunks) and appended to `w`.
  static func writeTensor(_ name: String, count: Int, fill: SyntheticModelSpec.Fill, spec: SyntheticModelSpec, rng: RNG,
                          threads: Int, to w: BinaryFileWriter) throws {
    let stream = rng.split(name), eb = spec.elementBytes, chunk = chunkElements
    let chunks = (count + chunk - 1) / chunk, batch = max(1, threads) * 8
    let a = Float(3.0.squareRoot() * spec.std)
    var buffer = [UInt8](repeating: 0, count: min(chunks, batch) * chunk * eb)
    var first = 0
    while first < chunks {
      let last = min(chunks, first + batch)
      let bytes = min(count, last * chunk) - first * chunk
      buffer.withUnsafeMutableBytes { out in
        let base = out.baseAddress!
        DispatchQueue.concurrentPerform(iterations: last - first) { j in
          let k = first + j, n = min(chunk, count - k * chunk)
          var g = stream.split(k)
          let p = base + j * chunk * eb
          for i in 0..<n {
            let v: Float = fill == .ones ? 1 : (2 * g.uniformFloat() - 1) * a
            switch spec.dtype {
            case .f32: p.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self)
            case .f16: FP16.store16(FP16.bits(from: v), p, 2 * i)
            case .bf16: FP16.store16(FP16.bf16Bits(from: v), p, 2 * i)
            }
          }
        }
      }
      try buffer.withUnsafeBytes { try w.write(UnsafeRawBufferPointer(rebasing: $0[0..<(bytes * eb)])) }
      first = last
    }
  }
}
