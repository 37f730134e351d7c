// Hand-written forward and backward passes of the world model's networks over a whole truncated-BPTT window,
// the maths of GRUCell (torch.nn.GRUCell) and of a tanh MLP written out, batched over time where the maths allow:
//   forward:  GI = X W_ihᵀ + b_ih for all T·B rows in one product; per step t (the only sequential part)
//             GH_t = h_{t−1} W_hhᵀ + b_hh,  r = σ(GI_r + GH_r),  z = σ(GI_z + GH_z),
//             n = tanh(GI_n + r ⊙ GH_n),  h_t = n + z ⊙ (h_{t−1} − n)   (h_{t−1} zeroed on reset rows);
//             the head (and the entity MLP) then runs once over all T·B rows.
//   backward: the head's backward once over all rows gives ∂L/∂h_t from the head; then, for t = T−1…0,
//             ∂n = ∂h (1 − z), ∂z = ∂h (h_{t−1} − n), ∂a_n = ∂n (1 − n²), ∂a_z = ∂z z (1 − z),
//             ∂a_r = ∂a_n GH_n r (1 − r), ∂GI_t = [∂a_r, ∂a_z, ∂a_n], ∂GH_t = [∂a_r, ∂a_z, ∂a_n ⊙ r],
//             ∂h_{t−1} = (∂h ⊙ z + ∂GH_t W_hh) ⊙ keep_t;  after the loop ∂W_hh = Σ_t ∂GH_tᵀ h_{t−1} and
//             ∂W_ih = ∂GIᵀ X are one product each.
// The same quantities as the per-op autograd graph (GRUFunctional.step, MLP), summed in a different order
// (float rounding only; RLTests/WorldModelKernelTests checks both against each other and against finite
// differences). Activations use FastMath's tanh/sigmoid, as the autograd kernels do.
import TensorCore

/// Gradient buffers for a module's parameters, in `Module.parameters()` order.
struct ParameterGrads {
  let grads: [Tensor]
  init(_ params: [Tensor]) { grads = params.map { Tensor(zeros: $0.shape) } }
  func zero() { for g in grads { g.data.initialize(repeating: 0, count: g.count) } }
}

enum TanhMLPKernel {
  /// Activations of `mlp` on `input` rows: [input, tanh(layer 0), …, output (no activation)].
  static func forward(_ mlp: MLP, input: Tensor) -> [Tensor] {
    precondition(mlp.activation == .tanh, "TanhMLPKernel needs a tanh MLP")
    let rows = input.rowCount
    var acts = [input]
    for (i, l) in mlp.layers.enumerated() {
      let nIn = l.inFeatures, nOut = l.outFeatures
      let y = Tensor(uninitialized: [rows, nOut])
      let yp = y.data
      if let b = l.bias { for r in 0..<rows { (yp + r * nOut).update(from: b.data, count: nOut) } }
      BLAS.sgemm(transA: false, transB: true, m: rows, n: nOut, k: nIn, a: acts[i].data, lda: nIn, b: l.weight.data,
                 ldb: nIn, beta: l.bias == nil ? 0 : 1, c: yp, ldc: nOut)
      if i < mlp.layers.count - 1 { FastMath.tanh(yp, yp, rows * nOut) }
      acts.append(y)
    }
    return acts
  }

  /// Adds the parameter gradients of L to `grads` (weight, bias per layer) given ∂L/∂output in `dOut`
  /// [rows × out] (not modified). With `inputGrad`, also writes ∂L/∂input for the first `columns` input columns
  /// into it ([rows × columns]).
  static func backward(_ mlp: MLP, acts: [Tensor], dOut: UnsafeMutablePointer<Float>, grads: ParameterGrads,
                       inputGrad: (UnsafeMutablePointer<Float>, columns: Int)? = nil) {
    let rows = acts[0].rowCount
    var g = grads.grads.makeIterator()
    var layerGrads: [(w: Tensor, b: Tensor?)] = []
    for l in mlp.layers { layerGrads.append((g.next()!, l.bias != nil ? g.next()! : nil)) }
    var dPre = dOut
    var owned: UnsafeMutablePointer<Float>? = nil
    defer { owned?.deallocate() }
    for i in stride(from: mlp.layers.count - 1, through: 0, by: -1) {
      let l = mlp.layers[i], nIn = l.inFeatures, nOut = l.outFeatures
      BLAS.sgemm(transA: true, transB: false, m: nOut, n: nIn, k: rows, a: dPre, lda: nOut, b: acts[i].data,
                 ldb: nIn, beta: 1, c: layerGrads[i].w.data, ldc: nIn)
      if let gb = layerGrads[i].b?.data {
        for r in 0..<rows { let row = dPre + r * nOut; for j in 0..<nOut { gb[j] += row[j] } }
      }
      if i > 0 {
        let dIn = UnsafeMutablePointer<Float>.allocate(capacity: rows * nIn)
        BLAS.sgemm(transA: false, transB: false, m: rows, n: nIn, k: nOut, a: dPre, lda: nOut, b: l.weight.data,
                   ldb: nIn, beta: 0, c: dIn, ldc: nIn)
        let a = acts[i].data
        for q in 0..<(rows * nIn) { dIn[q] *= 1 - a[q] * a[q] }
        owned?.deallocate()
        owned = dIn
        dPre = dIn
      } else if let (dx, cols) = inputGrad {
        BLAS.sgemm(transA: false, transB: false, m: rows, n: cols, k: nOut, a: dPre, lda: nOut, b: l.weight.data,
                   ldb: nIn, beta: 0, c: dx, ldc: cols)
      }
    }
  }
}

/// The GRU cell's elementwise gate maths over one row of H entries.
enum GateLoops {
  /// y = a + b (a gate's pre-activation; σ is applied to a whole step's rows at once).
  @inline(never) static func sum(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                                 _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    for j in 0..<n { y[j] = a[j] + b[j] }
  }
  /// y = gi_n + r ⊙ gh_n (the candidate's pre-activation; tanh is applied to a whole step's rows at once).
  @inline(never) static func candidateInput(_ gi: UnsafePointer<Float>, _ r: UnsafePointer<Float>, _ gh: UnsafePointer<Float>,
                                            _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    for j in 0..<n { y[j] = gi[j] + r[j] * gh[j] }
  }
  /// One row of the cell's backward step: with ∂h = dh + dOut (dh: from step t+1, updated in place to
  /// ∂h ⊙ z, the direct part of ∂h_{t−1}), ∂a_n = ∂h (1 − z)(1 − n²), ∂a_z = ∂h (h_{t−1} − n) z (1 − z),
  /// ∂a_r = ∂a_n GH_n r (1 − r); ∂GI = [∂a_r, ∂a_z, ∂a_n], ∂GH = [∂a_r, ∂a_z, ∂a_n ⊙ r]. A few short loops
  /// with few pointers each, so each vectorises (one loop over all of it stayed scalar).
  @inline(never) static func backward(dh: UnsafeMutablePointer<Float>, dOut: UnsafePointer<Float>, z: UnsafePointer<Float>,
                                      n: UnsafePointer<Float>, r: UnsafePointer<Float>, hPrev: UnsafePointer<Float>,
                                      ghN: UnsafePointer<Float>, dGI: UnsafeMutablePointer<Float>,
                                      dGH: UnsafeMutablePointer<Float>, _ hs: Int) {
    let giR = dGI, giZ = dGI + hs, giN = dGI + 2 * hs
    for j in 0..<hs { dh[j] += dOut[j] }
    for j in 0..<hs { giN[j] = dh[j] * (1 - z[j]) * (1 - n[j] * n[j]) }
    for j in 0..<hs { giZ[j] = dh[j] * (hPrev[j] - n[j]) * z[j] * (1 - z[j]) }
    for j in 0..<hs { giR[j] = giN[j] * ghN[j] * r[j] * (1 - r[j]) }
    dGH.update(from: dGI, count: 2 * hs)
    for j in 0..<hs { dGH[2 * hs + j] = giN[j] * r[j] }
    for j in 0..<hs { dh[j] *= z[j] }
  }
  /// h = n + z ⊙ (h_{t−1} − n).
  @inline(never) static func blend(_ nGate: UnsafePointer<Float>, _ z: UnsafePointer<Float>, _ hPrev: UnsafePointer<Float>,
                                   _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    for j in 0..<n { y[j] = nGate[j] + z[j] * (hPrev[j] - nGate[j]) }
  }
}

/// The GRU over a window of T steps × B rows, with what its backward pass needs.
struct GRUWindowTrace {
  let steps: Int, batch: Int, hidden: Int
  /// Inputs X [T·B × in], keep flags per row (0: the hidden state was reset before this step) [T·B].
  let x: Tensor, keep: [Float]
  /// h_{t−1} after the reset [T·B × H], h_t [T·B × H], r, z, n [T·B × H], GH_n = W_hn h_{t−1} + b_hn [T·B × H].
  let hPrev: Tensor, h: Tensor, r: Tensor, z: Tensor, n: Tensor, ghN: Tensor
}

enum GRUKernel {
  /// Runs the cell over T steps from `h0` [B × H]; row t·B + b of `x` is step t of sequence b.
  static func forward(_ cell: GRUCell, x: Tensor, keep: [Float], h0: UnsafePointer<Float>, steps: Int, batch: Int)
    -> GRUWindowTrace {
    let hs = cell.hiddenSize, nIn = cell.inputSize, rows = steps * batch, g3 = 3 * hs
    let gi = Tensor(uninitialized: [rows, g3])
    for r in 0..<rows { (gi.data + r * g3).update(from: cell.biasIH.data, count: g3) }
    BLAS.sgemm(transA: false, transB: true, m: rows, n: g3, k: nIn, a: x.data, lda: nIn, b: cell.weightIH.data,
               ldb: nIn, beta: 1, c: gi.data, ldc: g3)
    let hPrev = Tensor(uninitialized: [rows, hs]), h = Tensor(uninitialized: [rows, hs])
    let rT = Tensor(uninitialized: [rows, hs]), zT = Tensor(uninitialized: [rows, hs])
    let nT = Tensor(uninitialized: [rows, hs]), ghN = Tensor(uninitialized: [rows, hs])
    let gh = UnsafeMutablePointer<Float>.allocate(capacity: batch * g3)
    defer { gh.deallocate() }
    let gip = gi.data, hpP = hPrev.data, hP = h.data, rP = rT.data, zP = zT.data, nP = nT.data, gnP = ghN.data
    for t in 0..<steps {
      let base = t * batch
      for b in 0..<batch {
        let src = t == 0 ? h0 + b * hs : UnsafePointer(hP + (base - batch + b) * hs)
        let dst = hpP + (base + b) * hs
        if keep[base + b] == 0 { dst.initialize(repeating: 0, count: hs) } else { dst.update(from: src, count: hs) }
        (gh + b * g3).update(from: cell.biasHH.data, count: g3)
      }
      BLAS.sgemm(transA: false, transB: true, m: batch, n: g3, k: hs, a: hpP + base * hs, lda: hs,
                 b: cell.weightHH.data, ldb: hs, beta: 1, c: gh, ldc: g3)
      // One simple loop per gate, each in a function of its own (inlined into this loop nest the compiler
      // left them scalar; as separate functions they vectorise); σ and tanh over the step's B·H entries at once.
      let step = base * hs, count = batch * hs
      for b in 0..<batch {
        let gRow = gip + (base + b) * g3, hRow = gh + b * g3, o = (base + b) * hs
        GateLoops.sum(gRow, hRow, rP + o, hs)
        GateLoops.sum(gRow + hs, hRow + hs, zP + o, hs)
        (gnP + o).update(from: hRow + 2 * hs, count: hs)
      }
      FastMath.sigmoid(rP + step, rP + step, count)
      FastMath.sigmoid(zP + step, zP + step, count)
      for b in 0..<batch {
        let o = (base + b) * hs
        GateLoops.candidateInput(gip + (base + b) * g3 + 2 * hs, rP + o, gnP + o, nP + o, hs)
      }
      FastMath.tanh(nP + step, nP + step, count)
      for b in 0..<batch {
        let o = (base + b) * hs
        GateLoops.blend(nP + o, zP + o, hpP + o, hP + o, hs)
      }
    }
    return GRUWindowTrace(steps: steps, batch: batch, hidden: hs, x: x, keep: keep, hPrev: hPrev, h: h, r: rT, z: zT,
                          n: nT, ghN: ghN)
  }

  /// Adds the cell's parameter gradients (weight_ih, weight_hh, bias_ih, bias_hh order) given ∂L/∂h_t from
  /// outside the recurrence, `dH` [T·B × H]; no gradient flows into h0 (truncated BPTT).
  static func backward(_ cell: GRUCell, trace tr: GRUWindowTrace, dH: UnsafePointer<Float>, grads: ParameterGrads) {
    let hs = tr.hidden, g3 = 3 * hs, batch = tr.batch, rows = tr.steps * batch, nIn = cell.inputSize
    let dGI = UnsafeMutablePointer<Float>.allocate(capacity: rows * g3)
    let dGH = UnsafeMutablePointer<Float>.allocate(capacity: rows * g3)
    let dh = UnsafeMutablePointer<Float>.allocate(capacity: batch * hs)
    defer { dGI.deallocate(); dGH.deallocate(); dh.deallocate() }
    dh.initialize(repeating: 0, count: batch * hs)
    let hpP = tr.hPrev.data, rP = tr.r.data, zP = tr.z.data, nP = tr.n.data, gnP = tr.ghN.data
    for t in stride(from: tr.steps - 1, through: 0, by: -1) {
      let base = t * batch
      for b in 0..<batch {
        let o = (base + b) * hs
        GateLoops.backward(dh: dh + b * hs, dOut: dH + o, z: zP + o, n: nP + o, r: rP + o, hPrev: hpP + o, ghN: gnP + o,
                           dGI: dGI + (base + b) * g3, dGH: dGH + (base + b) * g3, hs)
      }
      guard t > 0 else { break }
      BLAS.sgemm(transA: false, transB: false, m: batch, n: hs, k: g3, a: dGH + base * g3, lda: g3,
                 b: cell.weightHH.data, ldb: hs, beta: 1, c: dh, ldc: hs)
      for b in 0..<batch where tr.keep[base + b] == 0 { (dh + b * hs).initialize(repeating: 0, count: hs) }
    }
    let gWih = grads.grads[0].data, gWhh = grads.grads[1].data, gBih = grads.grads[2].data, gBhh = grads.grads[3].data
    BLAS.sgemm(transA: true, transB: false, m: g3, n: nIn, k: rows, a: dGI, lda: g3, b: tr.x.data, ldb: nIn,
               beta: 1, c: gWih, ldc: nIn)
    BLAS.sgemm(transA: true, transB: false, m: g3, n: hs, k: rows, a: dGH, lda: g3, b: hpP, ldb: hs,
               beta: 1, c: gWhh, ldc: hs)
    for r in 0..<rows {
      let a = dGI + r * g3, c = dGH + r * g3
      for j in 0..<g3 { gBih[j] += a[j]; gBhh[j] += c[j] }
    }
  }
}
