import XCTest
@testable import RL
import TensorCore

/// The hand-written batched world-model kernels (WorldModelKernels.swift, WorldModel+Pass.swift) against
/// independent references: central finite differences of the window loss, the per-step autograd cells
/// (GRUCell + MLP through TensorCore's graph), and the former autograd training pass kept below as a plain
/// reference implementation.
final class WorldModelKernelTests: XCTestCase {
  /// A small model with every path on: skip input, entity MLP with running means, mask head, costs.
  func smallModel(seed: UInt64 = 7) -> WorldModel {
    var cfg = WorldModelConfig()
    cfg.hidden = 6; cfg.headHidden = 5; cfg.seqLen = 8
    cfg.entities = 3; cfg.entityFeatures = 4; cfg.entityHidden = 5; cfg.entityMeans = true
    var rng = RNG(seed: seed)
    return WorldModel(obsDim: 3 * 4 + 2, nvec: [3, 3, 3], costDim: 2, maskDim: 9, config: cfg, rng: &rng)
  }

  struct Window { var x: Tensor; var keep: [Float]; var entityX: Tensor; var h0: [Float]; var steps: Int; var batch: Int }

  func randomWindow(_ m: WorldModel, steps: Int = 4, batch: Int = 2, seed: UInt64 = 9) -> Window {
    var g = RNG(seed: seed)
    let d = m.obsDim, inW = d + m.actionWidth
    var x: [Float] = [], ex: [Float] = []
    var means = [Float](repeating: 0, count: batch * m.meanWidth)
    for _ in 0..<steps {
      let sym = (0..<(batch * d)).map { _ in Float(g.normal()) }
      let acts = (0..<(batch * m.nvec.count)).map { _ in g.int(below: 3) }
      x += m.input(sym: sym[...], actions: acts[...], batch: batch)
      m.advanceMeans(&means, sym: sym[...], batch: batch)
      ex += m.entityRows(sym: sym[...], actions: acts[...], batch: batch, means: means)
    }
    var keep = [Float](repeating: 1, count: steps * batch)
    keep[2 * batch + 1] = 0   // row 1 starts a new episode at step 2
    let h0 = (0..<(batch * m.config.hidden)).map { _ in Float(g.normal()) * 0.5 }
    return Window(x: Tensor(shape: [steps * batch, inW], x), keep: keep,
                  entityX: Tensor(shape: [steps * batch * m.config.entities, m.entityRowWidth], ex),
                  h0: h0, steps: steps, batch: batch)
  }

  func forward(_ m: WorldModel, _ w: Window) -> WorldModel.WindowForward {
    w.h0.withUnsafeBufferPointer {
      m.windowForward(x: w.x, keep: w.keep, entityX: w.entityX, h0: $0.baseAddress!, steps: w.steps, batch: w.batch)
    }
  }

  /// The window forward equals stepping the autograd GRUCell and `predict` one step at a time.
  func testWindowForwardMatchesPerStepAutogradCells() throws {
    let m = smallModel(), w = randomWindow(m)
    let fw = forward(m, w)
    let hd = m.config.hidden, inW = w.x.lastDim, o = m.outWidth, ew = m.entityRowWidth, e = m.config.entities
    var h = Tensor(shape: [w.batch, hd], w.h0)
    for t in 0..<w.steps {
      var hv = h.toArray()
      for b in 0..<w.batch where w.keep[t * w.batch + b] == 0 { for j in 0..<hd { hv[b * hd + j] = 0 } }
      let x = Tensor(shape: [w.batch, inW], Array(w.x.toArray()[(t * w.batch * inW)..<((t + 1) * w.batch * inW)]))
      let ex = Tensor(shape: [w.batch * e, ew], Array(w.entityX.toArray()[(t * w.batch * e * ew)..<((t + 1) * w.batch * e * ew)]))
      h = try noGrad { try m.gru(x, Tensor(shape: [w.batch, hd], hv)) }
      let out = try noGrad { try m.predict(h: h, x: x, entity: ex) }.toArray()
      let got = Array(fw.out.toArray()[(t * w.batch * o)..<((t + 1) * w.batch * o)])
      let gotH = Array(fw.gru.h.toArray()[(t * w.batch * hd)..<((t + 1) * w.batch * hd)])
      let gotHP = Array(fw.gru.hPrev.toArray()[(t * w.batch * hd)..<((t + 1) * w.batch * hd)])
      for (a, b) in zip(got, out) { XCTAssertEqual(a, b, accuracy: 1e-5 * (1 + abs(b)), "out step \(t)") }
      for (a, b) in zip(gotH, h.toArray()) { XCTAssertEqual(a, b, accuracy: 1e-5, "h step \(t)") }
      for (a, b) in zip(gotHP, hv) { XCTAssertEqual(a, b, accuracy: 1e-6, "h_prev step \(t)") }
    }
  }

  /// Gradients of L = Σ out ⊙ R over a window (with a reset inside) against central finite differences,
  /// for every parameter tensor (GRU, head, entity MLP).
  func testWindowGradientsMatchFiniteDifferences() throws {
    let m = smallModel(), w = randomWindow(m)
    var g = RNG(seed: 11)
    let rows = w.steps * w.batch, o = m.outWidth
    let r = (0..<(rows * o)).map { _ in Float(g.normal()) }
    func L() -> Double { zip(forward(m, w).out.toArray(), r).reduce(0) { $0 + Double($1.0) * Double($1.1) } }
    let grads = WorldModel.WindowGrads(m)
    grads.zero()
    var dOut = r
    dOut.withUnsafeMutableBufferPointer { m.windowBackward(forward(m, w), dOut: $0.baseAddress!, grads: grads) }
    XCTAssertEqual(dOut, r, "the output gradient is not modified")
    var checked = 0
    for ((name, p), gt) in zip(m.namedParameters(), grads.all) {
      XCTAssertEqual(p.shape, gt.shape, name)
      let grad = gt.toArray()
      XCTAssertTrue(grad.contains { $0 != 0 }, "\(name): gradient is all zero")
      let stride = max(1, p.count / 12)
      for j in Swift.stride(from: 0, to: p.count, by: stride) {
        let v = p.data[j], h: Float = 1e-2
        p.data[j] = v + h; let lp = L()
        p.data[j] = v - h; let lm = L()
        p.data[j] = v
        let fd = (lp - lm) / Double(2 * h)
        XCTAssertEqual(Double(grad[j]), fd, accuracy: 2e-3 * (1 + abs(fd)), "\(name)[\(j)]")
        checked += 1
      }
    }
    XCTAssertGreaterThan(checked, 60)
  }

  /// A synthetic rollout with episode ends (terminations and truncations) inside and across windows.
  func syntheticBuffer(_ m: WorldModel, steps: Int = 20, envs: Int = 3, seed: UInt64 = 5) -> RolloutBuffer {
    var g = RNG(seed: seed)
    var b = RolloutBuffer(steps: steps, numEnvs: envs, obsDim: m.obsDim, maskDim: m.maskDim, actionDim: m.nvec.count,
                          costDim: m.costDim)
    b.rawObs = b.rawObs.map { _ in Float(g.normal()) * 3 }
    b.nextRawObs = b.nextRawObs.map { _ in Float(g.normal()) * 3 }
    b.actions = b.actions.map { _ in g.int(below: 3) }
    b.rawRewards = b.rawRewards.map { _ in Float(g.normal()) }
    b.costs = b.costs.map { _ in Float(g.uniform(0, 2)) }
    b.nextMasks = b.nextMasks.map { _ in g.uniform(0, 1) < 0.5 }
    b.terminated = b.terminated.map { _ in g.uniform(0, 1) < 0.06 }
    b.truncated = b.truncated.map { _ in g.uniform(0, 1) < 0.04 }
    return b
  }

  /// The batched pass equals the former per-step autograd pass (reference below): the prequential errors,
  /// hidden states, residuals and loss, and the parameters after three windows of clipped Adam updates.
  func testPassMatchesFormerAutogradPass() throws {
    for (learn, dims, track) in [(true, true, 1..<3), (false, false, 0..<3)] {
      let a = smallModel(seed: 21), b = smallModel(seed: 21)
      let v: [Double] = (0..<a.obsDim).map { 0.5 + Double($0) * 0.1 }
      a.setWeights(variance: v); b.setWeights(variance: v)
      let buf = syntheticBuffer(a)
      XCTAssertTrue(buf.terminated.contains(true) && buf.truncated.contains(true))
      let before = b.allParameters.map { $0.toArray() }
      let got = try a.train(on: buf, track: track, learn: learn, dims: dims)
      let ref = learn ? try b.referencePass(buf, track: track, learn: true, dims: dims)
        : try noGrad { try b.referencePass(buf, track: track, learn: false, dims: dims) }
      XCTAssertEqual(got.loss, ref.loss, accuracy: 1e-5 * (1 + ref.loss))
      XCTAssertEqual(got.modelError, ref.modelError, accuracy: 1e-5 * ref.modelError)
      XCTAssertEqual(got.baselineError, ref.baselineError, accuracy: 1e-9 * ref.baselineError)
      XCTAssertEqual(got.rewardError, ref.rewardError, accuracy: 1e-5 * ref.rewardError)
      XCTAssertEqual(got.rewardBaseline, ref.rewardBaseline, accuracy: 1e-9 * ref.rewardBaseline)
      for (x, y) in zip(got.dimSE, ref.dimSE) { XCTAssertEqual(x, y, accuracy: 1e-4 * (1 + y)) }
      for (x, y) in zip(got.dimRawSE, ref.dimRawSE) { XCTAssertEqual(x, y, accuracy: 1e-4 * (1 + y)) }
      XCTAssertEqual(got.hPrev.count, ref.hPrev.count)
      for (x, y) in zip(got.hPrev, ref.hPrev) { XCTAssertEqual(x, y, accuracy: 1e-5) }
      for (x, y) in zip(got.residuals, ref.residuals) { XCTAssertEqual(x, y, accuracy: 1e-4 * (1 + abs(y))) }
      // Parameters: the Adam updates (≈ lr per element and window) agree to well under their size.
      var maxDiff: Float = 0, maxMove: Float = 0
      for ((pa, pb), p0) in zip(zip(a.allParameters, b.allParameters), before) {
        for ((x, y), z) in zip(zip(pa.toArray(), pb.toArray()), p0) { maxDiff = max(maxDiff, abs(x - y)); maxMove = max(maxMove, abs(y - z)) }
      }
      if learn { XCTAssertGreaterThan(maxMove, 1e-3) } else { XCTAssertEqual(maxMove, 0) }
      XCTAssertLessThan(maxDiff, 1e-5, "parameters after the pass (largest move \(maxMove))")
    }
  }

  /// Same model, same rollout ⇒ bit-identical pass results and parameters.
  func testPassIsDeterministic() throws {
    let a = smallModel(seed: 3), b = smallModel(seed: 3)
    let buf = syntheticBuffer(a)
    let ra = try a.train(on: buf), rb = try b.train(on: buf)
    XCTAssertEqual(ra.loss, rb.loss)
    XCTAssertEqual(ra.hPrev, rb.hPrev)
    XCTAssertEqual(a.allParameters.map { $0.toArray() }, b.allParameters.map { $0.toArray() })
  }
}

extension WorldModel {
  /// The former training pass, one step at a time through the autograd graph (the reference for the
  /// batched kernels).
  func referencePass(_ buf: RolloutBuffer, track: Range<Int>?, learn: Bool, dims: Bool) throws -> PassResult {
    guard maskDim == 0 || buf.maskDim == maskDim else {
      throw RLError.shape("world model predicts \(maskDim) mask bits, the rollout has \(buf.maskDim)")
    }
    let n = buf.numEnvs, d = obsDim, h = nvec.count, c = costDim, hd = config.hidden, o = outWidth, mk = maskDim
    let mw = meanWidth, sw = stateWidth
    let tr = track ?? 0..<n
    let params = allParameters
    var hState = Tensor(zeros: [n, hd])
    var means = [Float](repeating: 0, count: n * mw)
    var total = 0.0, windows = 0.0, se = 0.0, seBase = 0.0, rse = 0.0, rseBase = 0.0
    var hPrev = [Float](repeating: 0, count: buf.steps * tr.count * sw)
    var prevDone = [Bool](repeating: true, count: n)
    var dimSE = [Double](repeating: 0, count: d), dimBase = dimSE, dimRaw = dimSE, dimRawBase = dimSE
    var residuals = [Float](repeating: 0, count: buf.steps * tr.count * d)
    let weights: Tensor? = dimWeights.map { w in
      var a = [Float](repeating: 1, count: n * o)
      for b in 0..<n { for j in 0..<d { a[b * o + j] = w[j] } }
      return Tensor(shape: [n, o], a)
    }
    var t0 = 0
    while t0 < buf.steps {
      let t1 = min(buf.steps, t0 + config.seqLen)
      var loss: Tensor? = nil
      var hCur = hState
      var rPred: [Float] = [], rTrue: [Float] = []
      for t in t0..<t1 {
        let r = t * n
        let sym = buf.rawObs[(r * d)..<((r + n) * d)].map(symlog)
        let x = Tensor(shape: [n, d + actionWidth], input(sym: sym[...], actions: buf.actions[(r * h)..<((r + n) * h)], batch: n))
        // Reset rows whose previous step ended an episode (most steps end none: no mask tensor then).
        if prevDone.contains(true) { hCur = try hCur * referenceKeepMask(prevDone) }
        for (e, dn) in prevDone.enumerated() where dn && mw > 0 { for j in 0..<mw { means[e * mw + j] = 0 } }
        let hp = hCur.data
        for (k, e) in tr.enumerated() {
          for j in 0..<hd { hPrev[(t * tr.count + k) * sw + j] = hp[e * hd + j] }
          for j in 0..<mw { hPrev[(t * tr.count + k) * sw + hd + j] = means[e * mw + j] }
        }
        advanceMeans(&means, sym: sym[...], batch: n)
        hCur = try gru(x, hCur)
        let out = try predict(h: hCur, x: x,
                              entity: entityInput(sym: sym[...], actions: buf.actions[(r * h)..<((r + n) * h)], batch: n, means: means))
        let yArr = targets(sym: sym[...], next: buf.nextRawObs[(r * d)..<((r + n) * d)],
                           rewards: buf.rawRewards[r..<(r + n)], costs: buf.costs[(r * c)..<((r + n) * c)],
                           terminated: buf.terminated[r..<(r + n)], nextMasks: buf.nextMasks[(r * mk)..<((r + n) * mk)], batch: n)
        let op = out.data
        for (k, e) in tr.enumerated() {
          for j in 0..<d {
            let err = op[e * o + j] - yArr[e * o + j]
            residuals[(t * tr.count + k) * d + j] = -err
            se += Double(err * err)
            seBase += Double(yArr[e * o + j] * yArr[e * o + j])
            dimSE[j] += Double(err * err)
            dimBase[j] += Double(yArr[e * o + j] * yArr[e * o + j])
            if dims {
              let cur = buf.rawObs[(r + e) * d + j], nxt = buf.nextRawObs[(r + e) * d + j]
              let rawErr = symexp(sym[e * d + j] + op[e * o + j]) - nxt
              dimRaw[j] += Double(rawErr * rawErr)
              dimRawBase[j] += Double((cur - nxt) * (cur - nxt))
            }
          }
          rPred.append(op[e * o + d]); rTrue.append(yArr[e * o + d])
        }
        let sq = try (out - Tensor(shape: [n, o], yArr)).square()
        let l = try (weights.map { try sq * $0 } ?? sq).mean()
        loss = try loss.map { try $0 + l } ?? l
        for e in 0..<n { prevDone[e] = buf.terminated[r + e] || buf.truncated[r + e] }
      }
      let rMean = rTrue.reduce(0, +) / Float(max(rTrue.count, 1))
      for (p, y) in zip(rPred, rTrue) { rse += Double((p - y) * (p - y)); rseBase += Double((y - rMean) * (y - rMean)) }
      let lt = loss!.affine(scale: 1 / Float(t1 - t0))
      total += Double(lt.item)
      guard lt.item.isFinite else { throw RLError.nonFinite("world-model loss is \(lt.item)") }
      if learn {
        optimizer.zeroGrad()
        lt.backward()
        clipGradNorm(params, maxNorm: config.maxGradNorm)
        optimizer.step()
      }
      hState = hCur.detached()
      windows += 1
      t0 = t1
    }
    let cnt = Double(buf.steps * tr.count * d)
    let rc = Double(buf.steps * tr.count)
    return PassResult(loss: total / max(windows, 1), hPrev: hPrev, modelError: se / cnt, baselineError: seBase / cnt,
                      rewardError: rse / rc, rewardBaseline: rseBase / rc, dimSE: dimSE, dimBaseSE: dimBase,
                      dimRawSE: dimRaw, dimRawBaseSE: dimRawBase, rows: buf.steps * tr.count, residuals: residuals)
  }

  func referenceKeepMask(_ prevDone: [Bool]) -> Tensor {
    let hd = config.hidden
    var m = [Float](repeating: 1, count: prevDone.count * hd)
    for (b, d) in prevDone.enumerated() where d { for j in 0..<hd { m[b * hd + j] = 0 } }
    return Tensor(shape: [prevDone.count, hd], m)
  }
}
