// Recurrent world model: a GRU deterministic state h_t summarises the history; from (h_{t−1}, o_t, a_t) it
// predicts the next observation, the reward and the constraint costs (symlog targets), whether the episode
// continues and the next action mask:
//   x_t = [symlog(o_t), onehot(a_t)],  h_t = GRU(x_t, h_{t−1})  (h reset to 0 at episode starts)
//   [Δ, r̂, ĉ, ĉont, m̂] = MLP([h_t, x_t]) (+ the entity path),  symlog(ô_{t+1}) = symlog(o_t) + Δ
//   ĉont regresses 1 − terminated_t and m̂_j the next mask bit m_{t+1,j} (squared error: the minimiser is the
//   conditional probability — Dreamer's continue head, Hafner et al. 2020/2023, and a learned arrival process
//   for the masks), clamped to [0, 1] when used.
//   (residual: Δ = 0 is "predict the last obs"; x_t in the head is the feed-forward `skip` path; the optional
//   entity path adds, per entity block, a shared MLP of [block, its action, globals] — see WorldModelConfig)
// Trained on the most recent on-policy rollouts by truncated BPTT over windows of `seqLen` steps with all
// envs as the batch. Its validation error is the one-step error on each new rollout *before* training on it
// (held-out by construction), reported next to the predict-the-last-observation baseline.
import TensorCore

public struct WorldModelConfig: Codable, Equatable, Sendable {
  public var hidden = 64
  public var headHidden = 64
  public var learningRate: Float = 1e-3
  public var seqLen = 16
  /// Training passes per iteration, each truncated BPTT over `batchRollouts` rollouts stacked side by side:
  /// the first over the newest rollout (after the ones just before it), scored before learning from it (the
  /// held-out error); the others over rollouts drawn uniformly from the replay. Default cost = 2 rollouts
  /// per iteration, as the former "last 2 rollouts, 1 epoch".
  public var epochs = 2
  /// Replay capacity in transitions (kept as whole rollouts, at least the newest): 16384 = 32 rollouts of
  /// 4 × 128 — 80+ MEC episodes of 200 slots, 30+ full CartPole episodes.
  public var replayTransitions = 16384
  public var batchRollouts = 1
  public var maxGradNorm: Float = 10
  /// Observation-loss weighting: `uniform` (every symlog dimension alike) or `normalized`: dimension j weighted
  /// by 1 / (Var_j + weightEps) with Var_j the agent's running observation variance (the scale the policy and
  /// critic normalise by), rescaled to mean 1 — so the model's errors are measured in the units the critic
  /// consumes (a near-constant feature that is off by a little is far out of distribution for the critic).
  public var weighting: Weighting = .normalized
  public var weightEps: Float = 1e-2
  public enum Weighting: String, Codable, Sendable { case uniform, normalized }
  /// Feed-forward path: the head reads [h_t, x_t] instead of h_t alone, so a one-step function of the current
  /// observation and action does not have to pass through the GRU's gates.
  public var skip = true
  /// Entity-factored one-step path (0 = off): the observation starts with `entities` blocks of
  /// `entityFeatures` dims (one block per entity, e.g. per MEC user) followed by global dims, and the action
  /// has one head per entity. A feed-forward MLP shared by all entities maps [block, its action one-hot,
  /// globals] (symlog) to that block's delta, added to the GRU head's output: one function learned from every
  /// entity's transitions instead of one per entity.
  public var entities = 0
  public var entityFeatures = 0
  public var entityHidden = 64
  /// With the entity path: the model state also carries each entity block's running mean over the episode
  /// (symlog, a fixed filter, not learned), and the entity MLP reads it — e.g. a user's large-scale channel
  /// level, which one observation does not reveal. It is part of the branch state for imagination.
  public var entityMeans = true
  /// Train on rollout k on a second thread while PPO updates on it and collects rollout k + 1 (WM-PPO,
  /// WMPPO+Overlap.swift, docs/decisions/0206): imagination at iteration k + 1 then uses the model trained
  /// through rollout k, one rollout older than with synchronous training, and its branch states and held-out
  /// errors come from a forward-only pass over rollout k + 1. Results do not depend on the thread schedule.
  public var overlapTraining = true
  public init() {}

  enum CodingKeys: String, CodingKey {
    case hidden, headHidden, learningRate, seqLen, epochs, replayTransitions, batchRollouts, maxGradNorm, weighting, weightEps, skip
    case entities, entityFeatures, entityHidden, entityMeans, overlapTraining
  }
  /// Configs saved before a field existed decode it as the architecture they were saved with (`skip` off).
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    hidden = try c.decode(Int.self, forKey: .hidden)
    headHidden = try c.decode(Int.self, forKey: .headHidden)
    learningRate = try c.decode(Float.self, forKey: .learningRate)
    seqLen = try c.decode(Int.self, forKey: .seqLen)
    epochs = try c.decode(Int.self, forKey: .epochs)
    replayTransitions = try c.decodeIfPresent(Int.self, forKey: .replayTransitions) ?? 0
    batchRollouts = try c.decodeIfPresent(Int.self, forKey: .batchRollouts) ?? 2
    maxGradNorm = try c.decode(Float.self, forKey: .maxGradNorm)
    weighting = try c.decodeIfPresent(Weighting.self, forKey: .weighting) ?? .uniform
    weightEps = try c.decodeIfPresent(Float.self, forKey: .weightEps) ?? 1e-2
    skip = try c.decodeIfPresent(Bool.self, forKey: .skip) ?? false
    entities = try c.decodeIfPresent(Int.self, forKey: .entities) ?? 0
    entityFeatures = try c.decodeIfPresent(Int.self, forKey: .entityFeatures) ?? 0
    entityHidden = try c.decodeIfPresent(Int.self, forKey: .entityHidden) ?? 64
    entityMeans = try c.decodeIfPresent(Bool.self, forKey: .entityMeans) ?? false
    overlapTraining = try c.decodeIfPresent(Bool.self, forKey: .overlapTraining) ?? false
  }

  /// Throws unless the entity layout fits an observation of `obsDim` dims and the action heads `nvec`.
  public func validateEntities(obsDim: Int, nvec: [Int]) throws {
    guard entities != 0 else { return }
    guard entities > 0, entityFeatures > 0, entityHidden > 0, entities * entityFeatures <= obsDim else {
      throw RLError.invalidConfig("world-model entities \(entities) × \(entityFeatures) features must be positive and fit the \(obsDim)-dim observation")
    }
    guard nvec.count == entities, Set(nvec).count == 1 else {
      throw RLError.invalidConfig("world-model entities need one action head per entity, all of one size (got \(nvec))")
    }
  }
}

public final class WorldModel {
  public let config: WorldModelConfig
  public let obsDim: Int, costDim: Int, actionWidth: Int
  /// Width of the predicted next action mask (0: the env has no masks).
  public let maskDim: Int
  /// Head output width: Δobs, reward, costs, continue, next mask.
  public var outWidth: Int { obsDim + 2 + costDim + maskDim }
  public var continueIndex: Int { obsDim + 1 + costDim }
  public var maskOffset: Int { obsDim + 2 + costDim }
  public let nvec: [Int]
  public let gru: GRUCell
  public let head: MLP
  /// The shared per-entity one-step MLP (nil unless `config.entities > 0`).
  public let entityNet: MLP?
  public let optimizer: Adam
  /// Per-observation-dimension loss weights (nil = uniform); reward and cost targets always weigh 1.
  public var dimWeights: [Float]?

  /// Sets `dimWeights` from the agent's observation variances per `config.weighting`.
  public func setWeights(variance: [Double]) {
    guard config.weighting == .normalized, variance.count == obsDim else { dimWeights = nil; return }
    let w = variance.map { 1 / (Float($0) + config.weightEps) }
    let mean = w.reduce(0, +) / Float(max(w.count, 1))
    dimWeights = w.map { $0 / mean }
  }

  public init(obsDim: Int, nvec: [Int], costDim: Int, maskDim: Int = 0, config: WorldModelConfig, rng: inout RNG) {
    self.config = config
    self.obsDim = obsDim
    self.costDim = costDim
    self.maskDim = maskDim
    self.nvec = nvec
    actionWidth = nvec.reduce(0, +)
    gru = GRUCell(obsDim + actionWidth, config.hidden, rng: &rng, recurrentInit: .orthogonal())
    head = MLP([config.hidden + (config.skip ? obsDim + actionWidth : 0), config.headHidden, obsDim + 2 + costDim + maskDim], activation: .tanh, rng: &rng,
               hiddenInit: .orthogonal(gain: Float(2).squareRoot()), outputInit: .orthogonal(gain: 0.1))
    if config.entities > 0 {
      let f = config.entityFeatures, g = obsDim - config.entities * f
      entityNet = MLP([f + (config.entityMeans ? f : 0) + nvec[0] + g, config.entityHidden, config.entityHidden, f], activation: .tanh, rng: &rng,
                      hiddenInit: .orthogonal(gain: Float(2).squareRoot()), outputInit: .orthogonal(gain: 0.1))
    } else {
      entityNet = nil
    }
    optimizer = Adam(gru.parameters() + head.parameters() + (entityNet?.parameters() ?? []), lr: config.learningRate, eps: 1e-5)
  }

  /// Width of the running-means part of the state: E·F means and a step count (0 without `entityMeans`).
  public var meanWidth: Int { config.entityMeans && config.entities > 0 ? config.entities * config.entityFeatures + 1 : 0 }
  /// Width of a model state row (branch states, `hPrev`): the GRU state, then the running means.
  public var stateWidth: Int { config.hidden + meanWidth }

  /// Folds the current symlog observations into the running means (rows [means…, count]).
  func advanceMeans(_ m: inout [Float], sym: ArraySlice<Float>, batch: Int) {
    let w = meanWidth
    guard w > 0 else { return }
    let ef = w - 1, d = obsDim, ob = sym.startIndex
    for b in 0..<batch {
      let c = m[b * w + ef] + 1
      for j in 0..<ef { m[b * w + j] += (sym[ob + b * d + j] - m[b * w + j]) / c }
      m[b * w + ef] = c
    }
  }

  var allParameters: [Tensor] { gru.parameters() + head.parameters() + (entityNet?.parameters() ?? []) }

  /// Entity rows [B·E × (F + A + G)] from symlog observations and actions (row b·E + u).
  /// With running means (`means`, rows of `meanWidth`), each row is [block, its mean block, action, globals].
  func entityInput(sym: ArraySlice<Float>, actions: ArraySlice<Int>, batch: Int, means: [Float]? = nil) -> Tensor? {
    guard entityNet != nil else { return nil }
    let e = config.entities, w = entityRowWidth
    return Tensor(shape: [batch * e, w], entityRows(sym: sym, actions: actions, batch: batch, means: means))
  }

  /// Width of an entity row: [block, its mean block (with running means), action one-hot, globals].
  var entityRowWidth: Int {
    let f0 = config.entityFeatures, g = obsDim - config.entities * f0
    return f0 + (meanWidth > 0 ? f0 : 0) + (nvec.first ?? 0) + g
  }

  /// The rows of `entityInput` as a flat array (needs the entity path).
  func entityRows(sym: ArraySlice<Float>, actions: ArraySlice<Int>, batch: Int, means: [Float]? = nil) -> [Float] {
    let e = config.entities, f0 = config.entityFeatures, a = nvec[0], d = obsDim, g = d - e * f0
    let mw = meanWidth, f = f0 + (mw > 0 ? f0 : 0), w = f + a + g
    let h = nvec.count
    var x = [Float](repeating: 0, count: batch * e * w)
    let ob = sym.startIndex, ab = actions.startIndex
    for b in 0..<batch {
      for u in 0..<e {
        let r = (b * e + u) * w
        for j in 0..<f0 { x[r + j] = sym[ob + b * d + u * f0 + j] }
        if mw > 0, let m = means { for j in 0..<f0 { x[r + f0 + j] = m[b * mw + u * f0 + j] } }
        x[r + f + actions[ab + b * h + u]] = 1
        for j in 0..<g { x[r + f + a + j] = sym[ob + b * d + e * f0 + j] }
      }
    }
    return x
  }

  /// Head outputs [B × (D + 1 + C)] from the new hidden state and the step's input rows.
  func predict(h: Tensor, x: Tensor, entity: Tensor? = nil) throws -> Tensor {
    let out = try head(config.skip ? concat([h, x], axis: 1) : h)
    guard let net = entityNet, let ex = entity else { return out }
    let b = h.shape[0], ef = config.entities * config.entityFeatures, o = outWidth
    let per = try net(ex).reshaped([b, ef])
    return try out + concat([per, Tensor(zeros: [b, o - ef])], axis: 1)
  }

  public func namedParameters() -> [(String, Tensor)] {
    prefixed("gru", gru.namedParameters()) + prefixed("head", head.namedParameters())
      + (entityNet.map { prefixed("entity", $0.namedParameters()) } ?? [])
  }

  /// Network input rows [B × (D + width)] from observations already in symlog space and actions.
  func input(sym obs: ArraySlice<Float>, actions: ArraySlice<Int>, batch: Int) -> [Float] {
    let d = obsDim, w = actionWidth, h = nvec.count
    var x = [Float](repeating: 0, count: batch * (d + w))
    var ob = obs.startIndex, ab = actions.startIndex
    for b in 0..<batch {
      for j in 0..<d { x[b * (d + w) + j] = obs[ob + j] }
      var off = 0
      for k in 0..<h { x[b * (d + w) + d + off + actions[ab + k]] = 1; off += nvec[k] }
      ob += d; ab += h
    }
    return x
  }

  /// Head targets [B × outWidth]: symlog deltas of the observation, symlog reward, symlog costs, 1 − terminated,
  /// next mask bits, with the current observations already in symlog space.
  func targets(sym obs: ArraySlice<Float>, next: ArraySlice<Float>, rewards: ArraySlice<Float>,
               costs: ArraySlice<Float>, terminated: ArraySlice<Bool>, nextMasks: ArraySlice<Bool>, batch: Int) -> [Float] {
    targets(sym: obs, symNext: symlog(next)[...], rewards: rewards, costs: costs, terminated: terminated,
            nextMasks: nextMasks, batch: batch)
  }

  /// The same with the next observations already in symlog space.
  func targets(sym obs: ArraySlice<Float>, symNext next: ArraySlice<Float>, rewards: ArraySlice<Float>,
               costs: ArraySlice<Float>, terminated: ArraySlice<Bool>, nextMasks: ArraySlice<Bool>, batch: Int) -> [Float] {
    let d = obsDim, c = costDim, o = outWidth, mk = maskDim, ci = continueIndex, mo = maskOffset
    var y = [Float](repeating: 0, count: batch * o)
    for b in 0..<batch {
      for j in 0..<d {
        y[b * o + j] = next[next.startIndex + b * d + j] - obs[obs.startIndex + b * d + j]
      }
      y[b * o + d] = symlog(rewards[rewards.startIndex + b])
      for k in 0..<c { y[b * o + d + 1 + k] = symlog(costs[costs.startIndex + b * c + k]) }
      y[b * o + ci] = terminated[terminated.startIndex + b] ? 0 : 1
      for j in 0..<mk where nextMasks[nextMasks.startIndex + b * mk + j] { y[b * o + mo + j] = 1 }
    }
    return y
  }
}

/// The learned model as an imagination model: state = hidden rows [B × H] plus the current action masks.
/// Next masks come from the mask head (`maskDim > 0`): each bit is drawn from Bernoulli(clamp(m̂_j, 0, 1)) with
/// `maskRNG` (a sample of the learned arrival process), or thresholded at ½ without it; a head with no allowed
/// choice gets its most probable one. The continuation returned is the continue head's mode, 1[ĉont ≥ ½]
/// (DreamerV3 uses the mode of its continue head in imagination); on MEC, which never terminates, it learns 1.
/// With a residual pool (rows × D, symlog space) and a generator in the state, each imagined next observation
/// gets the residual of a uniformly drawn real row added — a nonparametric stochastic model (residual
/// bootstrap): for an exogenous i.i.d. component, mean prediction + residual is a real draw (e.g. a whole
/// query arrival with its tokens and class, jointly), instead of the off-manifold conditional mean.
public struct LearnedImagination: ImaginationModel {
  public struct State {
    public var h: [Float]; public var masks: [Bool]?; public var rng: RNG? = nil; public var maskRNG: RNG? = nil
    public init(h: [Float], masks: [Bool]?, rng: RNG? = nil, maskRNG: RNG? = nil) {
      self.h = h; self.masks = masks; self.rng = rng; self.maskRNG = maskRNG
    }
  }
  public let model: WorldModel
  public let residuals: [Float]
  public init(model: WorldModel, residuals: [Float] = []) { self.model = model; self.residuals = residuals }

  public func imagineStep(state: inout State, obs: [Float], actions: [Int], batch: Int) throws
    -> (nextObs: [Float], rewards: [Float], continues: [Float]) {
    let d = model.obsDim, o = model.outWidth, ci = model.continueIndex
    let hd = model.config.hidden, mw = model.meanWidth, sw = model.stateWidth
    guard obs.count == batch * d, actions.count == batch * model.nvec.count, state.h.count == batch * sw else {
      throw RLError.shape("imagineStep: obs \(obs.count), actions \(actions.count), state \(state.h.count) for batch \(batch)")
    }
    let sym = symlog(obs[...])
    let x = Tensor(shape: [batch, d + model.actionWidth], model.input(sym: sym[...], actions: actions[...], batch: batch))
    var hRows = state.h, means: [Float] = []
    if mw > 0 {
      hRows = []; hRows.reserveCapacity(batch * hd); means.reserveCapacity(batch * mw)
      for b in 0..<batch { hRows += state.h[(b * sw)..<(b * sw + hd)]; means += state.h[(b * sw + hd)..<((b + 1) * sw)] }
      model.advanceMeans(&means, sym: sym[...], batch: batch)
    }
    // One step of the training pass's batched forward (GRU kernel, head and entity MLPs): same maths as
    // `WorldModel.predict` after `gru`, without a graph, all branches × draws in one product per layer.
    let ex = model.entityInput(sym: sym[...], actions: actions[...], batch: batch, means: means)
    let fw = hRows.withUnsafeBufferPointer {
      model.windowForward(x: x, keep: [Float](repeating: 1, count: batch), entityX: ex, h0: $0.baseAddress!, steps: 1,
                          batch: batch)
    }
    let hn = fw.gru.h.data
    if mw > 0 {
      var st: [Float] = []; st.reserveCapacity(batch * sw)
      for b in 0..<batch {
        st += UnsafeBufferPointer(start: hn + b * hd, count: hd)
        st += means[(b * mw)..<((b + 1) * mw)]
      }
      state.h = st
    } else {
      state.h = Array(UnsafeBufferPointer(start: hn, count: batch * hd))
    }
    let out = fw.out.toArray()
    var next = [Float](repeating: 0, count: batch * d)
    var rew = [Float](repeating: 0, count: batch)
    for b in 0..<batch {
      if !residuals.isEmpty, state.rng != nil {
        let row = state.rng!.int(below: residuals.count / d) * d
        for j in 0..<d { next[b * d + j] = sym[b * d + j] + out[b * o + j] + residuals[row + j] }
      } else {
        for j in 0..<d { next[b * d + j] = sym[b * d + j] + out[b * o + j] }
      }
      rew[b] = symexp(out[b * o + d])
    }
    symexpInPlace(&next)
    if model.maskDim > 0, state.masks != nil { state.masks = nextMasks(out, batch: batch, rng: &state.maskRNG) }
    let cont: [Float] = (0..<batch).map { out[$0 * o + ci] >= 0.5 ? 1 : 0 }
    return (next, rew, cont)
  }

  /// Next masks from the mask head outputs (see the type's comment).
  func nextMasks(_ out: [Float], batch: Int, rng: inout RNG?) -> [Bool] {
    let o = model.outWidth, mo = model.maskOffset, mk = model.maskDim
    var m = [Bool](repeating: false, count: batch * mk)
    for b in 0..<batch {
      var off = 0
      for k in model.nvec {
        var best = off, any = false
        for j in off..<(off + k) {
          let p = min(max(out[b * o + mo + j], 0), 1)
          let on = rng != nil ? Float(rng!.uniform(0, 1)) < p : p >= 0.5
          m[b * mk + j] = on
          any = any || on
          if out[b * o + mo + j] > out[b * o + mo + best] { best = j }
        }
        if !any { m[b * mk + best] = true }
        off += k
      }
    }
    return m
  }

  public func masks(state: State, batch: Int) -> [Bool]? { state.masks }
}
