import XCTest
import Foundation
import LLM
import TensorCore
@testable import Compression

final class DistillTests: XCTestCase {
  func testTopKWithFullVocabEqualsFullKL() throws {
    let m = try Tiny.model(layers: 1, ffn: 32, dim: 32)
    let w = Tiny.windows(m, count: 1, length: 6)
    let cache = try TeacherCache(teacher: m, windows: w, k: m.config.vocabSize, temperature: 2)
    let student = try TrainableLlama(try Tiny.model(seed: 9, layers: 1, ffn: 32, dim: 32))
    let z = try student.forward(batch: w)
    XCTAssertTrue(cache.tailLogMass.joined().allSatisfy { $0 == -.infinity }, "no tail when k = vocab")
    let (ours, _, _) = try Distill.loss(logits: z, batch: w, ids: cache.ids, logprobs: cache.logprobs, tailLogMass: cache.tailLogMass,
                                        k: cache.k, temperature: 2, alpha: 1)
    var c = m.makeCache()
    let tz = try m.forward(tokens: w[0], cache: &c)
    let ref = try klDivergence(student: z.detached(), teacher: Tensor(shape: [w[0].count, m.config.vocabSize], tz), temperature: 2)
    XCTAssertEqual(ours.item, ref.item, accuracy: 1e-4 * max(1, abs(ref.item)))
  }

  func testTopKHandComputed() {
    let (ids, lp, tail) = TeacherCache.topK([0, 2, 1, -1], k: 2, temperature: 1)
    XCTAssertEqual(ids, [1, 2])
    let z = exp(2.0) + exp(1.0) + exp(0.0) + exp(-1.0)   // log-probabilities over the whole vocabulary
    XCTAssertEqual(Double(lp[0]), 2 - log(z), accuracy: 1e-6)
    XCTAssertEqual(Double(lp[1]), 1 - log(z), accuracy: 1e-6)
    XCTAssertEqual(Double(tail), log(exp(0.0) + exp(-1.0)) - log(z), accuracy: 1e-6)
    // A tail far below the top keeps its relative precision (not 1 − Σ top in floating point).
    let (_, _, tiny) = TeacherCache.topK([0, -60, -61], k: 1, temperature: 1)
    XCTAssertEqual(Double(tiny), log(exp(-60.0) + exp(-61.0)), accuracy: 1e-5)
    XCTAssertEqual(TeacherCache.topK([0, 1], k: 2, temperature: 1).2, -.infinity)
  }

  func testTopKSelectionMatchesFullSort() {
    // Partial selection (small k) and the full-sort path (large k) against a plain sort, with many ties.
    var rng = RNG(seed: 21)
    let z = (0..<500).map { _ in Float((rng.normal() * 3).rounded()) / 2 }
    let ref = z.indices.sorted { z[$0] != z[$1] ? z[$0] > z[$1] : $0 < $1 }
    for k in [1, 2, 7, 40, 62, 63, 64, 300, 500] {
      let (ids, lp, tail) = TeacherCache.topK(z, k: k, temperature: 1.7)
      XCTAssertEqual(ids.map(Int.init), Array(ref.prefix(k)), "k=\(k)")
      let top = ref.prefix(k).map { Double(z[$0]) / 1.7 }, rest = ref.dropFirst(k).map { Double(z[$0]) / 1.7 }
      let lse = log(z.map { exp(Double($0) / 1.7) }.reduce(0, +))
      for (g, w) in zip(lp, top) { XCTAssertEqual(Double(g), w - lse, accuracy: 1e-5, "k=\(k)") }
      if rest.isEmpty { XCTAssertEqual(tail, -.infinity) }
      else { XCTAssertEqual(Double(tail), log(rest.map { exp($0) }.reduce(0, +)) - lse, accuracy: 1e-5, "k=\(k)") }
    }
    // A slice keeps ids relative to its own start.
    let row = z[100..<300]
    XCTAssertEqual(TeacherCache.topK(row, k: 5, temperature: 1).0, TeacherCache.topK(Array(row), k: 5, temperature: 1).0)
  }

  /// The teacher distilled into an exact copy of itself: KD loss 0 and every gradient 0 (to rounding), at a
  /// temperature and k where the top-k leaves real mass in the tail. The earlier loss form (renormalised top-k
  /// against the student's full softmax, = this kernel with the tail dropped) is not 0 there: it equals
  /// T² · mean_r(−log Σ_{topk} p_r), the bias that made students sharper than their teacher.
  func testStudentEqualToTeacherHasZeroLossAndGradient() throws {
    let teacher = try Tiny.model(layers: 2, ffn: 32, dim: 32, std: 0.3)
    let w = Tiny.windows(teacher, count: 2, length: 8, seed: 4)
    let k = 8, T: Float = 2
    let cache = try TeacherCache(teacher: teacher, windows: w, k: k, temperature: T)
    let tails = cache.tailLogMass.joined().map { exp(Double($0)) }
    XCTAssertGreaterThan(tails.reduce(0, +) / Double(tails.count), 0.3, "the tail must hold real mass for the check to mean anything")
    let copy = try TrainableLlama(teacher)
    let z = try copy.forward(batch: w)
    let (loss, kd, _) = try Distill.loss(logits: z, batch: w, ids: cache.ids, logprobs: cache.logprobs, tailLogMass: cache.tailLogMass,
                                         k: k, temperature: T, alpha: 1)
    XCTAssertEqual(kd, 0, accuracy: 1e-5)
    loss.backward()
    var worst: Float = 0
    for (_, p) in copy.namedParameters() where p.requiresGrad { worst = max(worst, p.grad!.toArray().map(abs).max()!) }
    // The same check on another student has gradients of order 1e-2: the zero is not a dead gradient path.
    let other = try TrainableLlama(try Tiny.model(seed: 8, layers: 2, ffn: 32, dim: 32, std: 0.3))
    let zo = try other.forward(batch: w)
    try Distill.loss(logits: zo, batch: w, ids: cache.ids, logprobs: cache.logprobs, tailLogMass: cache.tailLogMass,
                     k: k, temperature: T, alpha: 1).total.backward()
    var otherWorst: Float = 0
    for (_, p) in other.namedParameters() where p.requiresGrad { otherWorst = max(otherWorst, p.grad!.toArray().map(abs).max()!) }
    XCTAssertLessThan(worst, 1e-5)
    XCTAssertGreaterThan(otherWorst, 1e-3)

    // The earlier form: renormalised top-k, no tail term.
    let renorm = zip(cache.logprobs, cache.tailLogMass).map { lp, tail in
      (0..<tail.count).flatMap { r in lp[(r * k)..<((r + 1) * k)].map { $0 - Float(log1p(-exp(Double(tail[r])))) } }
    }
    let old = try sparseKLDivergence(z.detached(), ids: cache.ids.flatMap { $0 }, logprobs: renorm.flatMap { $0 },
                                     tailLogMass: [Float](repeating: -.infinity, count: tails.count), k: k, temperature: T)
    let expected = Double(T * T) * tails.map { -log1p(-$0) }.reduce(0, +) / Double(tails.count)
    XCTAssertEqual(Double(old.item), expected, accuracy: 1e-4 * expected)
    XCTAssertGreaterThan(expected, 1)
    let summary = cache.tailSummary
    XCTAssertEqual(summary.meanTailMass, tails.reduce(0, +) / Double(tails.count), accuracy: 1e-9)
    XCTAssertEqual(-Double(T * T) * summary.meanLogTopMass, expected, accuracy: 1e-9 * expected)
  }

  func testGradientMatchesFiniteDifferences() throws {
    let teacher = try Tiny.model(layers: 2, ffn: 32, dim: 32, std: 0.3)
    let w = Tiny.windows(teacher, count: 1, length: 5)
    let cache = try TeacherCache(teacher: teacher, windows: w, k: 8, temperature: 1.5)
    let st = try TrainableLlama(try Tiny.model(seed: 4, layers: 2, ffn: 32, dim: 32, std: 0.3))
    func lossValue() throws -> Double {
      let z = try st.forward(batch: w)
      return Double(try Distill.loss(logits: z, batch: w, ids: cache.ids, logprobs: cache.logprobs, tailLogMass: cache.tailLogMass,
                                     k: 8, temperature: 1.5, alpha: 0.7).total.item)
    }
    let z = try st.forward(batch: w)
    try Distill.loss(logits: z, batch: w, ids: cache.ids, logprobs: cache.logprobs, tailLogMass: cache.tailLogMass,
                     k: 8, temperature: 1.5, alpha: 0.7).total.backward()
    let params = Dictionary(uniqueKeysWithValues: st.namedParameters())
    var checked = 0
    for (name, idx) in [("blk.0.attn_q.weight", 7), ("blk.1.ffn_down.weight", 40), ("blk.0.attn_norm.weight", 3),
                        ("blk.1.attn_v.weight", 11), ("token_embd.weight", 32 * 70 + 5)] {
      let p = params[name]!
      let g = Double(p.grad!.data[idx])
      let eps: Float = 3e-3, old = p.data[idx]
      p.data[idx] = old + eps; let lp = try lossValue()
      p.data[idx] = old - eps; let lm = try lossValue()
      p.data[idx] = old
      let fd = (lp - lm) / Double(2 * eps)
      XCTAssertEqual(g, fd, accuracy: 2e-3 + 0.05 * abs(fd), name)
      if abs(fd) > 1e-3 { checked += 1 }
    }
    XCTAssertGreaterThanOrEqual(checked, 3, "gradients too small to be a meaningful check")
  }

  func testKDLossDecreasesAndCheckpointResumes() throws {
    let teacher = try Tiny.model(std: 0.3)
    let stats = try Calibration.collect(model: teacher, windows: Tiny.windows(teacher))
    let student = try Pruner.apply(model: teacher, plan: Pruner.plan(model: teacher, stats: stats, options: PruneOptions(ffnRatio: 0.4, headRatio: 0.5)))
    let w = Tiny.windows(teacher, count: 4, length: 16, seed: 11)
    var o = DistillOptions()
    o.steps = 30; o.batchSize = 2; o.learningRate = 3e-3; o.minLearningRate = 3e-4; o.warmupSteps = 2; o.topK = 16
    let d = try Distiller(teacher: teacher, student: student, windows: w, options: o)
    _ = try d.run()
    let first = d.history.prefix(4).map(\.kd).reduce(0, +) / 4, last = d.history.suffix(4).map(\.kd).reduce(0, +) / 4
    XCTAssertLessThan(last, 0.8 * first, "KD loss \(first) → \(last)")
    // resume: 10 steps, checkpoint, fresh distiller loads it and continues identically to an uninterrupted run
    o.steps = 14
    let path = NSTemporaryDirectory() + "edgelab-kd-\(getpid()).safetensors"
    defer { try? FileManager.default.removeItem(atPath: path) }
    let a = try Distiller(teacher: teacher, student: student, windows: w, options: o)
    for _ in 0..<10 { try a.trainStep() }
    try a.saveCheckpoint(path)
    let ma = try a.run()
    let b = try Distiller(teacher: teacher, student: student, windows: w, options: o)
    try b.loadCheckpoint(path)
    XCTAssertEqual(b.step, 10)
    let mb = try b.run()
    XCTAssertLessThan(Tiny.maxDiff(try Tiny.logits(ma, w[0]), try Tiny.logits(mb, w[0])), 1e-5)
  }

  /// KD for N steps in one go vs N/2 steps, a stop (Ctrl-C) after the checkpoint, and a resumed run from that
  /// checkpoint: identical parameters, optimizer moments and losses, bit for bit.
  func testResumeEqualsUninterruptedBitForBit() throws {
    let teacher = try Tiny.model(layers: 2, ffn: 32, dim: 32, std: 0.3)
    let student = try Tiny.model(seed: 5, layers: 2, ffn: 32, dim: 32, std: 0.3)
    let w = Tiny.windows(teacher, count: 5, length: 12, seed: 3)  // 5 windows in batches of 2: epochs wrap mid-batch
    // The checkpoint's folder does not exist yet: saving creates it.
    let folder = NSTemporaryDirectory() + "edgelab-kd-resume-\(getpid())", path = folder + "/sub/kd.safetensors"
    defer { try? FileManager.default.removeItem(atPath: folder) }
    var o = DistillOptions()
    o.steps = 8; o.batchSize = 2; o.learningRate = 3e-3; o.minLearningRate = 3e-4; o.warmupSteps = 2; o.topK = 8
    o.weightDecay = 0.01; o.alpha = 0.8; o.seed = 42; o.trainEmbedding = true
    let full = try Distiller(teacher: teacher, student: student, windows: w, options: o)
    _ = try full.run()

    o.checkpointEvery = 4; o.checkpointPath = path
    let first = try Distiller(teacher: teacher, student: student, windows: w, options: o)
    Cancellation.probe = { first.step >= 6 }  // stopped two steps after the checkpoint of step 4
    defer { Cancellation.probe = nil }
    XCTAssertThrowsError(try first.run()) { XCTAssertTrue($0 is Interrupted, "\($0)") }
    Cancellation.probe = nil
    XCTAssertEqual(first.step, 6)

    let resumed = try Distiller(teacher: teacher, student: student, windows: w, options: o)
    try resumed.loadCheckpoint(path)
    XCTAssertEqual(resumed.step, 4)
    _ = try resumed.run()
    XCTAssertEqual(resumed.step, 8)
    for ((name, a), (_, b)) in zip(full.student.namedParameters(), resumed.student.namedParameters()) {
      XCTAssertEqual(a.toArray(), b.toArray(), name)
    }
    XCTAssertEqual(full.optimizer.exportState(), resumed.optimizer.exportState())
    XCTAssertEqual(full.history.suffix(4).map(\.loss), resumed.history.map(\.loss))
    XCTAssertNotEqual(full.history[0].loss, full.history[7].loss)

    // The last step is checkpointed too when it is not a multiple of checkpoint_every: resuming a finished run
    // trains nothing and gives the finished student.
    var short = o; short.steps = 3; short.checkpointPath = folder + "/short.safetensors"
    let finished = try Distiller(teacher: teacher, student: student, windows: w, options: short)
    _ = try finished.run()
    let again = try Distiller(teacher: teacher, student: student, windows: w, options: short)
    try again.loadCheckpoint(short.checkpointPath!)
    XCTAssertEqual(again.step, 3)
    _ = try again.run()
    XCTAssertTrue(again.history.isEmpty)
    for ((name, a), (_, b)) in zip(finished.student.namedParameters(), again.student.namedParameters()) {
      XCTAssertEqual(a.toArray(), b.toArray(), name)
    }

    // A checkpoint is refused for other data, seed or schedule (the batch order and LR would differ).
    var other = o; other.seed = 43
    XCTAssertThrowsError(try Distiller(teacher: teacher, student: student, windows: w, options: other).loadCheckpoint(path))
    other = o; other.steps = 9
    XCTAssertThrowsError(try Distiller(teacher: teacher, student: student, windows: w, options: other).loadCheckpoint(path))
    XCTAssertThrowsError(try Distiller(teacher: teacher, student: student, windows: Array(w.reversed()), options: o).loadCheckpoint(path))
  }

  /// Every buffer of a KD step reused from the pool and poisoned with NaN first (StoragePool.swift): if any kernel
  /// of the student's forward, the sparse KL, the backward, clipping or AdamW read a buffer before writing it,
  /// the losses or parameters would differ from a run that never reuses memory (or turn NaN).
  func testKDWithPoisonedBufferReuseEqualsFreshMemory() throws {
    let teacher = try Tiny.model(layers: 2, ffn: 32, dim: 32, std: 0.3)
    let student = try Tiny.model(seed: 5, layers: 2, ffn: 32, dim: 32, std: 0.3)
    let w = Tiny.windows(teacher, count: 4, length: 12, seed: 3)
    var o = DistillOptions()
    o.steps = 5; o.batchSize = 2; o.learningRate = 3e-3; o.warmupSteps = 1; o.topK = 8; o.alpha = 0.8
    o.weightDecay = 0.01; o.seed = 42; o.trainEmbedding = true
    func train() throws -> Distiller { let d = try Distiller(teacher: teacher, student: student, windows: w, options: o); _ = try d.run(); return d }
    let savedMinimum = StoragePool.minimumCount, savedLimit = StoragePool.limitBytes
    defer { StoragePool.minimumCount = savedMinimum; StoragePool.limitBytes = savedLimit; StoragePool.poisonReused = false; StoragePool.drain() }
    StoragePool.drain(); StoragePool.limitBytes = 0                 // nothing is kept: every buffer is fresh
    let fresh = try train()
    StoragePool.minimumCount = 1; StoragePool.limitBytes = 1 << 30; StoragePool.poisonReused = true
    let reusesBefore = StoragePool.reuses
    let pooled = try train()
    XCTAssertGreaterThan(StoragePool.reuses, reusesBefore, "the run reused buffers")
    XCTAssertEqual(StoragePool.pooledBytes, 0, "distillation drains the pool when it finishes")
    XCTAssertEqual(fresh.history.map(\.loss), pooled.history.map(\.loss))
    XCTAssertTrue(pooled.history.allSatisfy { $0.loss.isFinite })
    for ((name, a), (_, b)) in zip(fresh.student.namedParameters(), pooled.student.namedParameters()) {
      XCTAssertEqual(a.toArray(), b.toArray(), name)
    }
  }

  func testTeacherCorpusIsSeededCachedAndChecked() throws {
    let teacher = try Tiny.model(layers: 1, ffn: 32, dim: 32, std: 0.5)
    let dir = NSTemporaryDirectory() + "edgelab-corpus-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var o = TeacherCorpusOptions()
    o.windows = 3; o.length = 40; o.seed = 5; o.cacheDirectory = dir
    let a = try TeacherCorpus.generate(teacher: teacher, options: o)
    XCTAssertEqual(a.count, 3)
    XCTAssertTrue(a.allSatisfy { $0.count == 40 && $0[0] == 0 }, "windows start at <|endoftext|> and have the length")
    XCTAssertEqual(a, try TeacherCorpus.generate(teacher: teacher, options: o))
    var o2 = o; o2.seed = 6
    XCTAssertNotEqual(a, try TeacherCorpus.generate(teacher: teacher, options: o2))
    var o3 = o; o3.windows = 2
    XCTAssertEqual(Array(a.prefix(2)), try TeacherCorpus.generate(teacher: teacher, options: o3), "window i is independent of the count")

    // Cached: the first load writes the file, the second reads it; a changed token fails the checksum; a
    // deleted file is regenerated identically.
    let c = try TeacherCorpus.load(teacher: teacher, options: o)
    XCTAssertEqual(c.windows, a)
    let path = TeacherCorpus.path(key: c.key, options: o)
    XCTAssertTrue(FileManager.default.fileExists(atPath: path))
    XCTAssertEqual(try TeacherCorpus.load(teacher: teacher, options: o), c)
    var bad = c; bad.windows[1][7] = bad.windows[1][7] == 5 ? 6 : 5
    try JSONEncoder().encode(bad).write(to: URL(fileURLWithPath: path))
    XCTAssertThrowsError(try TeacherCorpus.load(teacher: teacher, options: o)) { XCTAssertTrue("\($0)".contains("checksum"), "\($0)") }
    try FileManager.default.removeItem(atPath: path)
    XCTAssertEqual(try TeacherCorpus.load(teacher: teacher, options: o), c)
    // Another teacher gets another file.
    XCTAssertNotEqual(TeacherCorpus.key(teacher: try Tiny.model(seed: 2, layers: 1, ffn: 32, dim: 32, std: 0.5), options: o), c.key)
    o.temperature = 0
    XCTAssertThrowsError(try TeacherCorpus.generate(teacher: teacher, options: o))
  }

  /// The first sampled token after <|endoftext|> follows the teacher's softmax (plain sampler: T = 1, no top-k/p):
  /// the frequencies of the five most likely tokens over 600 windows lie within 4.5 binomial σ of their probabilities.
  func testTeacherCorpusSamplesTheTeacherDistribution() throws {
    let teacher = try Tiny.model(layers: 1, ffn: 32, dim: 32, std: 0.8)
    var o = TeacherCorpusOptions()
    o.windows = 600; o.length = 2; o.seed = 11
    let w = try TeacherCorpus.generate(teacher: teacher, options: o)
    var cache = teacher.makeCache()
    let z = try teacher.forward(tokens: [0], cache: &cache).map(Double.init)
    let mx = z.max()!, e = z.map { exp($0 - mx) }, sum = e.reduce(0, +)
    let p = e.map { $0 / sum }
    let top = p.indices.sorted { p[$0] > p[$1] }.prefix(5)
    XCTAssertGreaterThan(p[top.first!], 0.02, "distribution too flat for a meaningful check")
    let n = Double(w.count)
    for t in top {
      let f = Double(w.filter { $0[1] == Int32(t) }.count) / n
      XCTAssertEqual(f, p[t], accuracy: 4.5 * (p[t] * (1 - p[t]) / n).squareRoot() + 1e-9, "token \(t)")
    }
  }

  /// The fused top-k + rest KL: value against a plain Double reference (the KL of the two distributions coarsened
  /// to {top-k, rest}, each computed from a full teacher distribution), gradient against central differences.
  /// Rows: a random k-subset with tail mass, the same with the teacher's tail tiny (1e-12), k = C (no tail).
  func testSparseKLMatchesReferenceAndFiniteDifferences() throws {
    let c = 11, T: Float = 1.7
    var g = RNGShim(5)
    for (k, tailScale) in [(4, 1.0), (4, 1e-12), (11, 1.0)] {
      let rows = 3
      let z0 = (0..<(rows * c)).map { _ in Float(g.next() % 2000) / 400 - 2.5 }
      var ids = [Int32](), lps = [Float](), tails = [Float](), teacher = [[Double]]()
      for _ in 0..<rows {
        var chosen: [Int32] = []
        while chosen.count < k { let i = Int32(g.next() % c); if !chosen.contains(i) { chosen.append(i) } }
        // a full teacher distribution whose mass outside `chosen` is scaled by tailScale
        var w = (0..<c).map { _ in Double(g.next() % 1000 + 1) }
        for i in 0..<c where !chosen.contains(Int32(i)) { w[i] *= tailScale }
        let s = w.reduce(0, +), p = w.map { $0 / s }
        teacher.append(p)
        ids += chosen; lps += chosen.map { Float(log(p[Int($0)])) }
        let rest = (0..<c).filter { !chosen.contains(Int32($0)) }.map { p[$0] }.reduce(0, +)
        tails.append(k == c ? -.infinity : Float(log(rest)))
      }
      func reference(_ z: [Float]) -> Double {
        var total = 0.0
        for r in 0..<rows {
          let zr = (0..<c).map { Double(z[r * c + $0]) / Double(T) }
          let m = zr.max()!, e = zr.map { exp($0 - m) }, s = e.reduce(0, +)
          let q = e.map { $0 / s }, S = Set(ids[(r * k)..<((r + 1) * k)].map(Int.init))
          for j in S { total += teacher[r][j] * log(teacher[r][j] / q[j]) }
          let P = (0..<c).filter { !S.contains($0) }.map { teacher[r][$0] }.reduce(0, +)
          let Q = (0..<c).filter { !S.contains($0) }.map { q[$0] }.reduce(0, +)
          if P > 0 { total += P * log(P / Q) }
        }
        return total * Double(T * T) / Double(rows)
      }
      let x = Tensor(shape: [rows, c], z0, requiresGrad: true)
      let loss = try sparseKLDivergence(x, ids: ids, logprobs: lps, tailLogMass: tails, k: k, temperature: T)
      XCTAssertEqual(Double(loss.item), reference(z0), accuracy: 1e-5, "k=\(k) tail×\(tailScale)")
      (loss * 2).backward()
      for i in 0..<(rows * c) {
        var zp = z0, zm = z0
        let h: Float = 1e-2
        zp[i] += h; zm[i] -= h
        let fd = 2 * (reference(zp) - reference(zm)) / Double(2 * h)
        XCTAssertEqual(Double(x.grad!.data[i]), fd, accuracy: 1e-4, "k=\(k) tail×\(tailScale) element \(i)")
      }
      if k < c {
        XCTAssertThrowsError(try sparseKLDivergence(x, ids: ids.map { $0 + 20 }, logprobs: lps, tailLogMass: tails, k: k))
        XCTAssertThrowsError(try sparseKLDivergence(x, ids: Array(ids.dropLast()), logprobs: lps, tailLogMass: tails, k: k))
        XCTAssertThrowsError(try sparseKLDivergence(x, ids: ids, logprobs: lps, tailLogMass: Array(tails.dropLast()), k: k))
        var dup = ids; dup[1] = dup[0]
        XCTAssertThrowsError(try sparseKLDivergence(x, ids: dup, logprobs: lps, tailLogMass: tails, k: k)) {
          XCTAssertTrue("\($0)".contains("repeats"), "\($0)")
        }
        XCTAssertThrowsError(try sparseKLDivergence(x, ids: ids, logprobs: lps, tailLogMass: tails.map { _ in 0.5 }, k: k))
      }
    }
  }

  func testBadOptionsThrow() throws {
    var o = DistillOptions(); o.alpha = 1.5
    XCTAssertThrowsError(try o.validate())
    o = DistillOptions(); o.checkpointEvery = 5
    XCTAssertThrowsError(try o.validate())
  }
}
