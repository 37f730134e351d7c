// The distillation loop (see Distiller.swift for the loss).
import Foundation
import LLM
import TensorCore

public final class Distiller {
  public let options: DistillOptions
  public let student: TrainableLlama
  public let cache: TeacherCache
  public let optimizer: Adam
  public let schedule: LRSchedule
  public private(set) var step = 0
  public private(set) var history: [DistillStep] = []
  let trainable: [(String, Tensor)]

  /// `teacher` produces the cached top-k targets on `windows` (equal lengths); `student` is copied to F32.
  public init(teacher: LlamaModel, student: LlamaModel, windows: [[Int32]], options: DistillOptions,
              progress: ((Int, Int) -> Void)? = nil) throws {
    try options.validate()
    guard let T = windows.first?.count, T >= 2, windows.allSatisfy({ $0.count == T }) else {
      throw CompressionError.invalidOption("distillation needs equal-length windows of ≥ 2 tokens")
    }
    guard teacher.config.vocabSize == student.config.vocabSize else { throw CompressionError.shape("teacher and student vocabularies differ") }
    // Student logits, their gradient and the softmax of one batch: ~4 floats per (sequence, position, vocab entry).
    try Limits.allocation([options.batchSize, T, student.config.vocabSize], bytesPerElement: 16,
                          what: "distillation batch_size × length × vocab")
    self.options = options
    cache = try TeacherCache(teacher: teacher, windows: windows, k: min(options.topK, teacher.config.vocabSize),
                             temperature: options.temperature, progress: progress)
    self.student = try TrainableLlama(student)
    if !options.trainEmbedding { self.student.embedding.requiresGrad = false }
    trainable = self.student.namedParameters().filter { $0.1.requiresGrad }
    optimizer = Adam.adamW(trainable.map { $0.1 }, lr: options.learningRate, weightDecay: options.weightDecay)
    let decay = max(1, options.steps - options.warmupSteps)
    schedule = .warmup(steps: options.warmupSteps, start: options.learningRate * 0.1,
                       then: .cosine(base: options.learningRate, min: options.minLearningRate, steps: decay))
  }

  /// The batch of window indices for step s (a seeded permutation per epoch).
  func batchIndices(_ s: Int) -> [Int] {
    let n = cache.windows.count, B = options.batchSize
    return (0..<B).map { b in
      let flat = s * B + b, epoch = flat / n
      var rng = RNG(seed: options.seed).split("distill-epoch-\(epoch)")
      return rng.permutation(n)[flat % n]
    }
  }

  /// One optimizer step; returns its record.
  @discardableResult
  public func trainStep() throws -> DistillStep {
    let t0 = Date()
    let idx = batchIndices(step)
    let batch = idx.map { cache.windows[$0] }
    let lr = schedule.apply(to: optimizer, step: step)
    optimizer.zeroGrad()
    let logits = try student.forward(batch: batch)
    let (loss, kd, ce) = try Distill.loss(logits: logits, batch: batch, ids: idx.map { cache.ids[$0] },
                                          logprobs: idx.map { cache.logprobs[$0] }, tailLogMass: idx.map { cache.tailLogMass[$0] }, k: cache.k,
                                          temperature: options.temperature, alpha: options.alpha)
    loss.backward()
    let gn = clipGradNorm(trainable.map { $0.1 }, maxNorm: options.clipNorm)
    optimizer.step()
    step += 1
    let tokens = batch.reduce(0) { $0 + $1.count }
    let rec = DistillStep(step: step, loss: Double(loss.item), kd: kd, ce: ce, gradNorm: Double(gn), learningRate: Double(lr),
                          tokensPerSecond: Double(tokens) / max(1e-9, Date().timeIntervalSince(t0)))
    history.append(rec)
    // Every `checkpointEvery` steps and at the last one, so resuming a finished run trains nothing again.
    if options.checkpointEvery > 0, step % options.checkpointEvery == 0 || step == options.steps,
       let p = options.checkpointPath { try saveCheckpoint(p) }
    return rec
  }

  /// Train until `options.steps` (continuing after a resume). `progress` is called after every step.
  public func run(progress: ((DistillStep) -> Void)? = nil) throws -> LlamaModel {
    while step < options.steps {
      try Cancellation.check()
      let r = try trainStep()   // not inside progress?(…): optional chaining would skip the call
      progress?(r)
    }
    StoragePool.drain()   // the steps' kept buffers (logits, gradients) are not needed after training
    return try student.toModel()
  }

  // MARK: checkpoints — everything the next step depends on, in one safetensors file: student parameters, AdamW
  // moments and step counts, and the step. The data position and the only randomness of training (the batch
  // order) are a pure function of (seed, step, batch size, windows), so the metadata records the seed, batch
  // size and a checksum of the windows and loading refuses a checkpoint made for other data; the LR schedule
  // is a function of the step and the options (steps, warm-up, rates), also recorded and checked.

  /// The options and data a checkpoint is only valid for.
  var checkpointIdentity: [String: String] {
    let o = options
    return ["seed": String(o.seed), "batch_size": String(o.batchSize), "windows": TeacherCorpus.checksum(cache.windows),
            "schedule": "\(o.steps)|\(o.warmupSteps)|\(o.learningRate)|\(o.minLearningRate)|\(o.weightDecay)",
            "loss": "\(o.temperature)|\(o.alpha)|\(o.topK)|\(o.clipNorm)|\(o.trainEmbedding)|\(Distill.lossForm)"]
  }

  public func saveCheckpoint(_ path: String) throws {
    var ts = student.namedParameters().map { ("param.\($0.0)", $0.1) }
    ts += optimizer.stateTensors(prefix: "adam")
    var meta = checkpointIdentity
    meta["step"] = String(step); meta["format"] = "edgelab-distill-v2"
    // Safetensors.write is itself write-temp-then-rename: the old checkpoint stays until the new one is whole,
    // so a stop at any moment leaves either the previous or the new checkpoint under `path`.
    let url = URL(fileURLWithPath: path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Safetensors.write(ts, to: url, metadata: meta)
  }

  public func loadCheckpoint(_ path: String) throws {
    let (ts, meta) = try Safetensors.read(URL(fileURLWithPath: path))
    guard meta["format"] == "edgelab-distill-v2", let s = meta["step"].flatMap(Int.init), s >= 0 else {
      throw CompressionError.io("\(path) is not an EdgeLab distillation checkpoint (format edgelab-distill-v2)")
    }
    for (k, v) in checkpointIdentity where meta[k] != v {
      throw CompressionError.io("\(path) was made with a different \(k) (checkpoint \(meta[k] ?? "none"), now \(v)); "
                                + "resume needs the same seed, batch_size, windows, schedule and loss options")
    }
    for (name, p) in student.namedParameters() {
      guard let t = ts["param.\(name)"] else { throw CompressionError.io("checkpoint lacks \(name)") }
      try p.assign(t)
    }
    try optimizer.loadState(ts, prefix: "adam")
    step = s
  }
}
