// Teacher-generated distillation text (data-free KD in the style of LLM-QAT, Liu et al. 2023, arXiv:2305.17888):
// the base model samples its own training sequences, so distillation never reads calibration or evaluation text.
//
// A window of `length` tokens is built by packing independent samples: each sample starts from the document
// separator (`<|endoftext|>`, else BOS, else EOS) and is drawn by `LlamaModel.generate` (ancestral sampling with
// the seeded `Sampling`: temperature, top-k, top-p) until a stop token or the window is full; the stop token is
// kept and the next sample starts after it. Sample j of window i uses the seed
// RNG(seed).split("teacher-corpus-\(i)-\(j)"), so window i does not depend on how many windows are drawn, and
// the same teacher, options and seed give the same tokens. (LLM-QAT picks the first token at random and
// decodes the next 3–5 greedily; here every token is sampled from the teacher, so the corpus follows the
// teacher's own distribution.)
//
// The corpus is generated once and cached as JSON under `cacheDirectory` (file name = a hash of the teacher's
// weights and the options) with an FNV-1a checksum of its tokens; a missing file is regenerated, a file whose
// checksum or key does not match is rejected with an error naming it.
import Foundation
import LLM
import TensorCore

public struct TeacherCorpusOptions: Codable, Sendable, Equatable {
  /// Number of windows and tokens per window.
  public var windows: Int = 64
  public var length: Int = 128
  public var seed: UInt64 = 0
  /// The sampler (1 / 0 / 1 = plain ancestral sampling from the teacher).
  public var temperature: Float = 1
  public var topK: Int = 0
  public var topP: Float = 1
  /// Where the corpus file is cached (relative to the working directory; EDGELAB_CACHE overrides the default).
  public var cacheDirectory: String = ProcessInfo.processInfo.environment["EDGELAB_CACHE"] ?? "assets/cache"
  public init() {}

  public func validate(contextLength: Int) throws {
    try Limits.size(windows, max: 1_000_000, name: "windows", min: 1)
    try Limits.size(length, max: contextLength, name: "length", min: 2)
    try Sampling(temperature: temperature, topK: topK, topP: topP, seed: seed).validate()
    guard temperature > 0 else { throw CompressionError.invalidOption("sample_temperature must be > 0 for a teacher corpus (got \(temperature))") }
  }
}

public struct TeacherCorpus: Codable, Sendable, Equatable {
  public static let format = "edgelab-teacher-corpus-v1"
  public var format: String = TeacherCorpus.format
  /// Hash of the teacher's weights and the sampling options (also the cache file's name).
  public var key: String
  public var windows: [[Int32]]
  /// FNV-1a 64 of the tokens (little-endian Int32, window after window), hex.
  public var checksum: String

  public static func checksum(_ windows: [[Int32]]) -> String {
    var h = fnv1a64(bytes: [UInt8]())
    for w in windows { h = w.withUnsafeBytes { fnv1a64(bytes: $0, state: h) } }
    return String(format: "%016llx", h)
  }

  /// FNV-1a 64 of the model's configuration, tokenizer size and every stored weight byte.
  public static func fingerprint(_ m: LlamaModel) -> UInt64 {
    var h = fnv1a64("\(m.config)|\(m.tokenizer.vocabSize)")
    func add(_ w: WeightMatrix?) { if let w { h = fnv1a64(bytes: w.rawBytes, state: h) } }
    func add(_ v: [Float]?) { if let v { h = v.withUnsafeBytes { fnv1a64(bytes: $0, state: h) } } }
    add(m.embedding)
    for l in m.layers {
      add(l.attnNorm); add(l.ffnNorm); add(l.qNorm); add(l.kNorm)
      for w in [l.wq, l.wk, l.wv, l.wo, l.gate, l.up, l.down] { add(w) }
    }
    add(m.outputNorm); add(m.output)
    return h
  }

  public static func key(teacher: LlamaModel, options o: TeacherCorpusOptions) -> String {
    let spec = "\(format)|\(fingerprint(teacher))|\(o.windows)|\(o.length)|\(o.seed)|\(o.temperature)|\(o.topK)|\(o.topP)"
    return String(format: "%016llx", fnv1a64(spec))
  }

  public static func path(key: String, options: TeacherCorpusOptions) -> String {
    URL(fileURLWithPath: options.cacheDirectory).appendingPathComponent("teacher-corpus-\(key).json").path
  }

  /// Samples the corpus (no cache).
  public static func generate(teacher: LlamaModel, options o: TeacherCorpusOptions,
                              progress: ((Int, Int) -> Void)? = nil) throws -> [[Int32]] {
    try o.validate(contextLength: teacher.config.contextLength)
    let tk = teacher.tokenizer
    guard let start = tk.id(of: "<|endoftext|>") ?? tk.bosID ?? tk.eosID else {
      throw CompressionError.invalidOption("the teacher's tokenizer has no document separator, BOS or EOS token to start samples from")
    }
    let root = RNG(seed: o.seed)
    var out: [[Int32]] = []
    out.reserveCapacity(o.windows)
    for i in 0..<o.windows {
      var w: [Int32] = []
      var j = 0
      while w.count < o.length {
        try Cancellation.check()
        w.append(start)
        let need = o.length - w.count
        if need == 0 { break }
        var stream = root.split("teacher-corpus-\(i)-\(j)")
        let seed = stream.next()
        let g = try teacher.generate(tokens: [start], maxTokens: need,
                                     sampling: Sampling(temperature: o.temperature, topK: o.topK, topP: o.topP, seed: seed))
        w += g.tokens
        if let s = g.stopToken, w.count < o.length { w.append(s) }
        j += 1
      }
      out.append(w)
      progress?(i + 1, o.windows)
    }
    return out
  }

  /// The cached corpus for `teacher` and `options`, generated and written (atomically) when the file is missing.
  public static func load(teacher: LlamaModel, options o: TeacherCorpusOptions,
                          progress: ((Int, Int) -> Void)? = nil) throws -> TeacherCorpus {
    try o.validate(contextLength: teacher.config.contextLength)
    let key = key(teacher: teacher, options: o), path = path(key: key, options: o)
    if FileManager.default.fileExists(atPath: path) {
      guard let data = FileManager.default.contents(atPath: path),
            let c = try? JSONDecoder().decode(TeacherCorpus.self, from: data) else {
        throw CompressionError.io("\(path) is not a teacher corpus (delete it to regenerate)")
      }
      guard c.format == format, c.key == key, c.checksum == checksum(c.windows),
            c.windows.count == o.windows, c.windows.allSatisfy({ $0.count == o.length }) else {
        throw CompressionError.io("\(path): checksum or key mismatch (delete it to regenerate)")
      }
      return c
    }
    let w = try generate(teacher: teacher, options: o, progress: progress)
    let c = TeacherCorpus(key: key, windows: w, checksum: checksum(w))
    try FileManager.default.createDirectory(atPath: o.cacheDirectory, withIntermediateDirectories: true)
    try AtomicReplace.write(try JSONEncoder().encode(c), to: path)
    return c
  }
}
