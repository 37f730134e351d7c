// Continuous (iteration-level) batching at the edge, one engine per edge GPU — the scheduling of Orca
// (Yu et al., OSDI 2022, "iteration-level scheduling" and "selective batching") and vLLM (Kwon et al.,
// SOSP 2023), on the EdgeProfiles roofline of the edge model.
//
//   * The engine runs back-to-back iterations. At an iteration boundary, requests that are ready (fully
//     uploaded) join the running batch in order of readiness (ties: lower id first) while it holds fewer than
//     `maxBatch` streams.
//   * An iteration in which requests join runs their prefill (Σ of their prompt tokens, EdgeProfiles prefill
//     roofline) followed by one decode step of the whole batch (each joiner emits its first output token):
//     prefill interleaves with the running decodes. Any other iteration is one decode step.
//   * A decode step of b streams at mean KV context c̄ takes t1(c̄)·(1 + α(b−1)), t1(c) = max(memA + memB·c,
//     computeK) the roofline seconds/token of one stream (α = batchSlowdown: Jetson Thor batch-8 figures,
//     REFERENCES.md). So each stream's token rate falls as the batch grows, and grows again as streams leave.
//     Every stream's context grows by one token per step, so c̄ does too.
//   * A stream leaves the batch at the end of the iteration that produced its last token (its KV slot is free
//     at the next boundary).
//   * Idle engines wait for the next ready request. Runs of decode steps without joins or exits are summed in
//     closed form (`decodeSum`), so the cost of simulating is per event (join / exit / slot end), not per token.
// The GPU for an offloaded request is chosen when it is dispatched (SlotModel+Edge.swift: the engine holding
// the fewest streams). `EdgeScheduler.slotBatch` keeps the older model
// (static batches formed from the queries of one slot; SlotModel.swift) for comparison.
import EdgeProfiles

/// How the edge serves offloaded queries.
public enum EdgeScheduler: String, Codable, Sendable {
  /// Iteration-level (continuous) batching across slots (this file).
  case continuous
  /// Static batches of the queries offloaded in the same slot, run to completion (the original simulator).
  case slotBatch = "slot-batch"
}

struct EdgeRequest: Sendable, Equatable {
  var id: Int, ready: Double, prompt: Int, output: Int
}

struct EdgeStream: Sendable, Equatable {
  var id: Int, remaining: Int, context: Double
}

/// Cost coefficients of one edge GPU's iterations.
struct EdgeCost: Sendable {
  let edge: HostedModel
  let roofline: DecodeRoofline
  let slowdown: Double
  let maxBatch: Int

  init(edge: HostedModel, slowdown: Double, maxBatch: Int) {
    self.edge = edge; roofline = edge.roofline; self.slowdown = slowdown; self.maxBatch = maxBatch
  }

  /// Σ_{j<k} t1(c + j): seconds of k single-stream decode steps starting at (real) context c, in closed form.
  @inline(__always)
  func decodeSum(context c: Double, steps k: Int) -> Double {
    if k <= 0 { return 0 }
    let r = roofline, kd = Double(k)
    if r.memB <= 0 { return kd * max(r.memA, r.computeK) }
    // Steps j < jc are compute-bound (memA + memB·(c+j) < computeK).
    let jc = min(max(((r.computeK - r.memA) / r.memB - c).rounded(.up), 0), kd)
    let m = kd - jc
    return jc * r.computeK + m * (r.memA + r.memB * c) + r.memB * (jc * m + m * (m - 1) / 2)
  }

  @inline(__always)
  func batchFactor(_ b: Int) -> Double { 1 + slowdown * Double(b - 1) }
}

/// One edge GPU's engine state.
public struct EdgeGPUState: Sendable, Equatable {
  /// Time (s) up to which the engine has been simulated: the end of its last iteration, or the time it went idle.
  public internal(set) var clock = 0.0
  var running: [EdgeStream] = []
  var waiting: [EdgeRequest] = []

  /// Streams in the batch and requests waiting to join.
  public var runningCount: Int { running.count }
  public var waitingCount: Int { waiting.count }

  mutating func enqueue(_ r: EdgeRequest) {
    var p = waiting.count
    waiting.append(r)
    while p > 0 && (waiting[p - 1].ready > r.ready || (waiting[p - 1].ready == r.ready && waiting[p - 1].id > r.id)) {
      waiting[p] = waiting[p - 1]; p -= 1
    }
    waiting[p] = r
  }

  /// Runs every iteration that starts before `t` (t = .infinity drains the engine). `joined(id, time)` and
  /// `done(id, time)` report when a request's prefill iteration starts and when its last token is out.
  mutating func run(until t: Double, _ cost: EdgeCost, joined: (Int, Double) -> Void = { _, _ in },
                    done: (Int, Double) -> Void = { _, _ in }) {
    while true {
      var start = clock
      if running.isEmpty {
        guard let r = waiting.first?.ready, r < t else { if clock < t && t.isFinite { clock = t }; return }
        start = max(clock, r)
      }
      if start >= t { return }
      var prompt = 0, joins = 0
      while running.count < cost.maxBatch, let w = waiting.first, w.ready <= start {
        waiting.removeFirst()
        running.append(EdgeStream(id: w.id, remaining: w.output, context: Double(w.prompt)))
        prompt += w.prompt; joins += 1
        joined(w.id, start)
      }
      let b = running.count
      var mean = 0.0, minLeft = Int.max
      for s in running { mean += s.context; minLeft = min(minLeft, s.remaining) }
      mean /= Double(b)
      let f = cost.batchFactor(b)
      var k = 1
      var dt: Double
      if joins > 0 {
        dt = cost.edge.prefillSeconds(prompt) + f * cost.decodeSum(context: mean, steps: 1)
      } else {
        // Decode steps until the first exit, the first boundary at/after a possible join, or at/after t.
        k = minLeft
        var horizon = t
        if b < cost.maxBatch, let r = waiting.first?.ready { horizon = min(horizon, r) }
        if horizon.isFinite, f * cost.decodeSum(context: mean, steps: k) > horizon - start {
          var lo = 1, hi = k  // smallest k' with sum >= horizon - start (sum is increasing in k')
          while lo < hi {
            let mid = (lo + hi) / 2
            if f * cost.decodeSum(context: mean, steps: mid) >= horizon - start { hi = mid } else { lo = mid + 1 }
          }
          k = lo
        }
        dt = f * cost.decodeSum(context: mean, steps: k)
      }
      clock = start + dt
      var w = 0
      for r in 0..<running.count {
        var s = running[r]
        s.remaining -= k; s.context += Double(k)
        if s.remaining <= 0 { done(s.id, clock) } else { running[w] = s; w += 1 }
      }
      running.removeLast(running.count - w)
    }
  }

  /// The time this engine finishes everything it holds if nothing else arrives.
  func drainTime(_ cost: EdgeCost) -> Double {
    if running.isEmpty && waiting.isEmpty { return clock }
    var c = self
    c.run(until: .infinity, cost)
    return c.clock
  }
}
