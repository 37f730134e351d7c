// PPO update: epochs × shuffled minibatches (permutations from the seeded minibatch stream), per-minibatch
// advantage normalisation, the clipped loss with its hand-derived gradient fed to autograd, global
// grad-norm clipping, Adam. Value-only rows (critic in imagination, WMPPO.swift) are split into the same
// number of minibatches; each adds c_v · w · ½·mean((V(ŝ) − G)²) to its minibatch's loss (critic only).
import TensorCore

extension PPO {
  func update(batch: TrainBatch, stats: inout TrainStats) throws {
    let total = batch.count
    let nmb = config.numMinibatches
    let mbSize = max(1, total / nmb)
    let d = obsDim, w = dist.width, h = dist.nvec.count
    var pl = 0.0, vl = 0.0, ent = 0.0, kl = 0.0, cf = 0.0, count = 0.0
    let params = net.parameters
    let criticRows = batch.criticReturns.count
    let cmb = (criticRows + nmb - 1) / nmb
    var criticRNG = RNG(seed: seed).split("critic-imagination").split(iteration)
    epochs: for _ in 0..<config.updateEpochs {
      try Cancellation.check()
      let perm = minibatchRNG.permutation(total)
      let cperm = criticRows > 0 ? criticRNG.permutation(criticRows) : []
      var epochKL = 0.0, epochN = 0.0
      for k in 0..<nmb {
        let idx = perm[(k * mbSize)..<min(total, (k + 1) * mbSize)]
        if idx.isEmpty { continue }
        let b = idx.count
        let obs = RolloutBuffer.gather(batch.obs, idx, width: d)
        let masks = batch.masks.map { RolloutBuffer.gather($0, idx, width: w) }
        let actions = RolloutBuffer.gather(batch.actions, idx, width: h)
        let oldLP = RolloutBuffer.gather(batch.logProbs, idx, width: 1)
        let oldV = RolloutBuffer.gather(batch.values, idx, width: 1)
        let ret = RolloutBuffer.gather(batch.returns, idx, width: 1)
        var adv = RolloutBuffer.gather(batch.advantages, idx, width: 1)
        if config.normalizeAdvantages { adv = normalizeAdvantages(adv) }
        let (logits, values) = try net.forward(obs, batch: b)
        let out = try ppoLoss(dist: dist, logits: logits.toArray(), masks: masks, actions: actions, oldLogProbs: oldLP,
                              advantages: adv, values: values.toArray(), oldValues: oldV, returns: ret,
                              config: config.loss)
        guard out.total.isFinite else {
          throw RLError.nonFinite("PPO loss is \(out.total) at iteration \(iteration)")
        }
        optimizer.zeroGrad()
        logits.backward(gradient: Tensor(shape: [b, w], out.dLogits))
        values.backward(gradient: Tensor(shape: [b, 1], out.dValues))
        if criticRows > 0 {
          let cidx = cperm[min(criticRows, k * cmb)..<min(criticRows, (k + 1) * cmb)]
          if !cidx.isEmpty {
            try criticStep(obs: RolloutBuffer.gather(batch.criticObs, cidx, width: d),
                           returns: RolloutBuffer.gather(batch.criticReturns, cidx, width: 1), weight: batch.criticWeight)
          }
        }
        clipGradNorm(params, maxNorm: config.maxGradNorm)
        optimizer.step()
        pl += Double(out.policyLoss); vl += Double(out.valueLoss); ent += Double(out.entropy)
        kl += Double(out.approxKL); cf += Double(out.clipFraction); count += 1
        epochKL += Double(out.approxKL); epochN += 1
      }
      if let t = config.targetKL, epochN > 0, epochKL / epochN > Double(t) { break epochs }
    }
    stats.policyLoss = pl / count
    stats.valueLoss = vl / count
    stats.entropy = ent / count
    stats.approxKL = kl / count
    stats.clipFraction = cf / count
    stats.explainedVariance = explainedVariance(predicted: batch.values, target: batch.returns)
  }

  /// Accumulates the gradient of c_v · w · ½·mean((V(s) − G)²) over value-only rows into the critic.
  func criticStep(obs: [Float], returns: [Float], weight: Float) throws {
    let b = returns.count
    let v = try net.critic(Tensor(shape: [b, obsDim], obs))
    let vals = v.toArray()
    let scale = config.loss.valueCoef * weight / Float(b)
    v.backward(gradient: Tensor(shape: [b, 1], (0..<b).map { scale * (vals[$0] - returns[$0]) }))
  }
}
