// The world model's training pass: truncated BPTT over a (possibly stacked) rollout in windows of `seqLen`
// steps with all envs as the batch; per window the loss is
//   L = (1/T) Σ_t (1/(B·O)) Σ_{b,j} w_j (out_{t,b,j} − y_{t,b,j})²
// (w_j the observation-dimension weights, 1 for reward/cost/continue/mask outputs), its gradient clipped to a
// global norm of `maxGradNorm`, then one Adam step; the hidden state is carried (detached) into the next
// window. Each window is scored before the model learns from it (prequential, held-out errors).
// Forward and backward are the hand-written batched kernels of WorldModelKernels.swift (the same gradients as
// the per-op autograd graph, summed in another order — see docs/decisions/0203).
import TensorCore

extension WorldModel {
  /// What one training pass saw about the tracked envs (the newest rollout).
  public struct PassResult {
    public var loss: Double
    /// Hidden state before each step of the tracked envs, [T × tracked × H] (row t·tracked + e′).
    public var hPrev: [Float]
    /// Prequential one-step error (symlog MSE over observation dims) of the tracked envs: each window is
    /// scored *before* the model updates on it, so it is held-out — and the last-observation baseline's.
    public var modelError: Double, baselineError: Double
    /// The same for the reward head (symlog MSE) against predicting the window's mean symlog reward.
    public var rewardError: Double, rewardBaseline: Double
    /// Per observation dimension, summed over the tracked rows: squared error of the model and of the
    /// last-observation baseline in symlog space (`dimSE`, `dimBaseSE`) and in raw observation units
    /// (`dimRawSE`, `dimRawBaseSE`), and the row count — for per-group breakdowns and normalised-unit errors.
    public var dimSE: [Double] = [], dimBaseSE: [Double] = [], dimRawSE: [Double] = [], dimRawBaseSE: [Double] = []
    public var rows = 0
    /// Observation residuals of the tracked rows, symlog target − prediction [T × tracked × D] (row t·tracked + e′):
    /// the pool that residual-sampling imagination draws from.
    public var residuals: [Float] = []
  }

  /// One pass of truncated BPTT over a (possibly stacked) rollout. `track` selects env columns whose

  /// One pass of truncated BPTT over a (possibly stacked) rollout. `track` selects env columns whose
  /// prequential error and hidden states are reported (nil = all).
  /// `learn = false` scores the rollout without updating the model (a held-out evaluation pass); `dims` also
  /// accumulates the raw-unit per-dimension errors (costs a symexp per element).
  @discardableResult
  public func train(on buf: RolloutBuffer, track: Range<Int>? = nil, learn: Bool = true, dims: Bool = false) throws
    -> PassResult {
    try pass(buf, track: track, learn: learn, dims: dims)
  }

  /// Filters the rollout without gradients: returns, for every row t·N+e, the hidden state *before* step t
  /// (the branch state for imagination, [T·N × H]) and the one-step mean squared errors (symlog space, obs
  /// dims only) of the model and of the predict-the-last-observation baseline — a scoring pass over all envs.
  public func filter(_ buf: RolloutBuffer) throws -> (hPrev: [Float], modelError: Double, baselineError: Double) {
    let r = try train(on: buf, learn: false)
    return (r.hPrev, r.modelError, r.baselineError)
  }

  func pass(_ buf: RolloutBuffer, track: Range<Int>?, learn: Bool, dims: Bool) throws -> PassResult {
    guard maskDim == 0 || buf.maskDim == maskDim else {
      throw RLError.shape("world model predicts \(maskDim) mask bits, the rollout has \(buf.maskDim)")
    }
    let n = buf.numEnvs, d = obsDim, h = nvec.count, c = costDim, hd = config.hidden, o = outWidth, mk = maskDim
    let mw = meanWidth, sw = stateWidth, inW = obsDim + actionWidth
    let tr = track ?? 0..<n
    let grads = learn ? WindowGrads(self) : nil
    var hState = [Float](repeating: 0, count: n * hd)
    var means = [Float](repeating: 0, count: n * mw)
    var total = 0.0, windows = 0.0, se = 0.0, seBase = 0.0, rse = 0.0, rseBase = 0.0
    var hPrev = [Float](repeating: 0, count: buf.steps * tr.count * sw)
    var prevDone = [Bool](repeating: true, count: n)
    var dimSE = [Double](repeating: 0, count: d), dimBase = dimSE, dimRaw = dimSE, dimRawBase = dimSE
    var residuals = [Float](repeating: 0, count: buf.steps * tr.count * d)
    let lossWeights = (0..<o).map { j in j < d ? (dimWeights?[j] ?? 1) : Float(1) }
    // symlog of every observation once; a next observation that is bit-for-bit the following row's observation
    // (every step but an episode's last) reuses its symlog — the same number without a second log1p.
    let symAll = symlog(buf.rawObs[...])
    var symNextAll = [Float](repeating: 0, count: buf.count * d)
    for r in 0..<buf.count {
      for j in 0..<d {
        let v = buf.nextRawObs[r * d + j]
        symNextAll[r * d + j] = r + n < buf.count && v.bitPattern == buf.rawObs[(r + n) * d + j].bitPattern
          ? symAll[(r + n) * d + j] : symlog(v)
      }
    }
    var t0 = 0
    while t0 < buf.steps {
      let t1 = min(buf.steps, t0 + config.seqLen), steps = t1 - t0, rows = steps * n, r0 = t0 * n
      let sym = symAll[(r0 * d)..<((r0 + rows) * d)]
      let x = Tensor(shape: [rows, inW], input(sym: sym, actions: buf.actions[(r0 * h)..<((r0 + rows) * h)], batch: rows))
      // Episode resets (the hidden state and running means restart where the previous step ended an episode)
      // and the running means, which do not depend on the parameters, for the whole window up front.
      var keep = [Float](repeating: 1, count: rows)
      var entityRows: [Float] = []
      for t in t0..<t1 {
        let k = t - t0, r = t * n
        for e in 0..<n where prevDone[e] {
          keep[k * n + e] = 0
          for j in 0..<mw { means[e * mw + j] = 0 }
        }
        for (q, e) in tr.enumerated() {
          for j in 0..<mw { hPrev[(t * tr.count + q) * sw + hd + j] = means[e * mw + j] }
        }
        let symStep = symAll[((r0 + k * n) * d)..<((r0 + (k + 1) * n) * d)]
        advanceMeans(&means, sym: symStep, batch: n)
        if entityNet != nil {
          entityRows += self.entityRows(sym: symStep, actions: buf.actions[(r * h)..<((r + n) * h)], batch: n, means: means)
        }
        for e in 0..<n { prevDone[e] = buf.terminated[r + e] || buf.truncated[r + e] }
      }
      let entityX = entityNet == nil ? nil : Tensor(shape: [rows * config.entities, entityRowWidth], entityRows)
      let y = targets(sym: sym, symNext: symNextAll[(r0 * d)..<((r0 + rows) * d)],
                      rewards: buf.rawRewards[r0..<(r0 + rows)], costs: buf.costs[(r0 * c)..<((r0 + rows) * c)],
                      terminated: buf.terminated[r0..<(r0 + rows)], nextMasks: buf.nextMasks[(r0 * mk)..<((r0 + rows) * mk)],
                      batch: rows)
      let fw = hState.withUnsafeBufferPointer {
        windowForward(x: x, keep: keep, entityX: entityX, h0: $0.baseAddress!, steps: steps, batch: n)
      }
      let op = fw.out.data, hp = fw.gru.hPrev.data
      var rPred: [Float] = [], rTrue: [Float] = []
      for t in t0..<t1 {
        let k = t - t0, r = t * n
        for (q, e) in tr.enumerated() {
          let row = k * n + e
          for j in 0..<hd { hPrev[(t * tr.count + q) * sw + j] = hp[row * hd + j] }
          for j in 0..<d {
            let err = op[row * o + j] - y[row * o + j]
            residuals[(t * tr.count + q) * d + j] = -err
            se += Double(err * err)
            seBase += Double(y[row * o + j] * y[row * o + j])
            dimSE[j] += Double(err * err)
            dimBase[j] += Double(y[row * o + j] * y[row * o + j])
            if dims {
              let cur = buf.rawObs[(r + e) * d + j], nxt = buf.nextRawObs[(r + e) * d + j]
              let rawErr = symexp(symAll[(r0 + row) * d + j] + op[row * o + j]) - nxt
              dimRaw[j] += Double(rawErr * rawErr)
              dimRawBase[j] += Double((cur - nxt) * (cur - nxt))
            }
          }
          rPred.append(op[row * o + d]); rTrue.append(y[row * o + d])
        }
      }
      let rMean = rTrue.reduce(0, +) / Float(max(rTrue.count, 1))
      for (p, yv) in zip(rPred, rTrue) { rse += Double((p - yv) * (p - yv)); rseBase += Double((yv - rMean) * (yv - rMean)) }
      // The loss and its gradient with respect to the outputs.
      let dOut = UnsafeMutablePointer<Float>.allocate(capacity: rows * o)
      defer { dOut.deallocate() }
      let scale = 2 / Float(rows * o)
      var lossSum = 0.0
      lossWeights.withUnsafeBufferPointer { w in
        y.withUnsafeBufferPointer { yp in
          for k in 0..<steps {
            var stepSum: Float = 0
            for b in 0..<n {
              let row = (k * n + b) * o
              for j in 0..<o {
                let diff = op[row + j] - yp[row + j]
                stepSum += w[j] * diff * diff
                dOut[row + j] = scale * w[j] * diff
              }
            }
            lossSum += Double(stepSum / Float(n * o))
          }
        }
      }
      let lt = Float(lossSum / Double(steps))
      total += Double(lt)
      guard lt.isFinite else { throw RLError.nonFinite("world-model loss is \(lt)") }
      if let g = grads {
        g.zero()
        windowBackward(fw, dOut: dOut, grads: g)
        optimizer.zeroGrad()
        for (p, gt) in zip(allParameters, g.all) { p.grad = gt }
        clipGradNorm(optimizer.params, maxNorm: config.maxGradNorm)
        optimizer.step()
        optimizer.zeroGrad()
      }
      let hLast = fw.gru.h.data + (rows - n) * hd
      for q in 0..<(n * hd) { hState[q] = hLast[q] }
      windows += 1
      t0 = t1
    }
    let cnt = Double(buf.steps * tr.count * d)
    let rc = Double(buf.steps * tr.count)
    return PassResult(loss: total / max(windows, 1), hPrev: hPrev, modelError: se / cnt, baselineError: seBase / cnt,
                      rewardError: rse / rc, rewardBaseline: rseBase / rc, dimSE: dimSE, dimBaseSE: dimBase,
                      dimRawSE: dimRaw, dimRawBaseSE: dimRawBase, rows: buf.steps * tr.count, residuals: residuals)
  }

  /// Gradient buffers for every parameter (GRU, head, entity MLP), in `allParameters` order.
  struct WindowGrads {
    let gru: ParameterGrads, head: ParameterGrads, entity: ParameterGrads?
    init(_ m: WorldModel) {
      gru = ParameterGrads(m.gru.parameters()); head = ParameterGrads(m.head.parameters())
      entity = m.entityNet.map { ParameterGrads($0.parameters()) }
    }
    var all: [Tensor] { gru.grads + head.grads + (entity?.grads ?? []) }
    func zero() { gru.zero(); head.zero(); entity?.zero() }
  }

  /// The forward pass over a window of T steps × B rows: the GRU from `h0` [B × H] with resets where
  /// `keep` is 0, the head on [h_t, x_t] (or h_t), and the entity path; `out` [T·B × outWidth].
  struct WindowForward {
    let gru: GRUWindowTrace, head: [Tensor], entity: [Tensor]?, out: Tensor
  }

  func windowForward(x: Tensor, keep: [Float], entityX: Tensor?, h0: UnsafePointer<Float>, steps: Int, batch: Int)
    -> WindowForward {
    let g = GRUKernel.forward(gru, x: x, keep: keep, h0: h0, steps: steps, batch: batch)
    let rows = steps * batch, hd = config.hidden, inW = x.lastDim, o = outWidth
    let headIn: Tensor
    if config.skip {
      headIn = Tensor(uninitialized: [rows, hd + inW])
      let dst = headIn.data, hp = g.h.data, xp = x.data
      for r in 0..<rows {
        (dst + r * (hd + inW)).update(from: hp + r * hd, count: hd)
        (dst + r * (hd + inW) + hd).update(from: xp + r * inW, count: inW)
      }
    } else {
      headIn = g.h
    }
    let acts = TanhMLPKernel.forward(head, input: headIn)
    let out = Tensor(uninitialized: [rows, o])
    out.data.update(from: acts[acts.count - 1].data, count: rows * o)
    var entityActs: [Tensor]? = nil
    if let net = entityNet, let ex = entityX {
      let ea = TanhMLPKernel.forward(net, input: ex)
      let ef = config.entities * config.entityFeatures, per = ea[ea.count - 1].data, op = out.data
      for r in 0..<rows { for j in 0..<ef { op[r * o + j] += per[r * ef + j] } }
      entityActs = ea
    }
    return WindowForward(gru: g, head: acts, entity: entityActs, out: out)
  }

  /// Adds the gradients of L to `grads` given ∂L/∂out [T·B × outWidth] (not modified).
  func windowBackward(_ fw: WindowForward, dOut: UnsafeMutablePointer<Float>, grads: WindowGrads) {
    let rows = fw.out.rowCount, hd = config.hidden, o = outWidth
    let dH = UnsafeMutablePointer<Float>.allocate(capacity: rows * hd)
    defer { dH.deallocate() }
    TanhMLPKernel.backward(head, acts: fw.head, dOut: dOut, grads: grads.head, inputGrad: (dH, hd))
    GRUKernel.backward(gru, trace: fw.gru, dH: dH, grads: grads.gru)
    if let net = entityNet, let ea = fw.entity, let eg = grads.entity {
      let ef = config.entities * config.entityFeatures
      let dE = UnsafeMutablePointer<Float>.allocate(capacity: rows * ef)
      defer { dE.deallocate() }
      for r in 0..<rows { (dE + r * ef).update(from: dOut + r * o, count: ef) }
      TanhMLPKernel.backward(net, acts: ea, dOut: dE, grads: eg)
    }
  }
}
