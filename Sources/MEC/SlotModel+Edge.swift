// Edge service of one slot's offloaded queries (`o.order`, sorted by readiness), for both schedulers.
// Each sets, per offloaded query i: queue (join − ready), compute (done − join), gpu, startAt, doneAt; and
// o.gpuFreeAt (per GPU, the time it finishes everything it holds if nothing else arrives).
//
// slot-batch (the original simulator): the slot's offloaded queries form batches of ≤ maxBatch in order of
// readiness; each batch goes to the edge GPU that frees first and starts at max(gpuFree, last member
// ready). Batch time: prefill(Σ n) then decode in lock step; a decode step with b active streams takes
// t1·(1 + α(b−1)), t1 = roofline seconds/token at the batch's mean context (n + (m−1)/2, exact for a lone
// stream), so each stream's rate falls with the batch size and a stream finishes after its own m tokens.
// Queries of different slots never share a batch.
//
// continuous (EdgeEngine.swift): each query is dispatched, in order of readiness, to the engine holding the
// fewest streams (running + waiting; ties: earliest projected drain, then lowest index), joins its running
// batch at an iteration boundary, and the join and completion times are the projection of the engines with
// no later arrivals (one drain simulation per engine that received a query).
extension MECEnv {
  func edgeContinuous(_ o: inout SlotOutcome) {
    let cost = edgeCost
    o.engines = engines
    let base = nextRequestId
    for i in o.order {
      // The engine holding the fewest streams (running + waiting); ties: earliest drain, then lowest index.
      var g = 0
      for j in 1..<o.engines.count {
        let a = o.engines[j].runningCount + o.engines[j].waitingCount
        let b = o.engines[g].runningCount + o.engines[g].waitingCount
        if a < b || (a == b && o.gpuFreeAt[j] < o.gpuFreeAt[g]) { g = j }
      }
      let q = queries[i]
      o.engines[g].enqueue(EdgeRequest(id: base + i, ready: o.ready[i], prompt: q.prompt, output: q.output))
      o.gpu[i] = g
    }
    // Join and completion times of the new requests, and each touched engine's drain time: drain a copy.
    var touched = [Bool](repeating: false, count: o.engines.count)
    for i in o.order { touched[o.gpu[i]] = true }
    for g in 0..<o.engines.count where touched[g] {
      var c = o.engines[g]
      c.run(until: .infinity, cost, joined: { id, t in
        if id >= base { o.startAt[id - base] = t }
      }, done: { id, t in
        if id >= base { o.doneAt[id - base] = t }
      })
      o.gpuFreeAt[g] = c.clock
    }
    for i in o.order {
      o.queue[i] = o.startAt[i] - o.ready[i]
      o.compute[i] = o.doneAt[i] - o.startAt[i]
    }
  }

  func edgeSlotBatch(_ o: inout SlotOutcome) {
    let s = scenario, e = layout.edge
    var b0 = 0
    while b0 < o.order.count {
      let b1 = min(b0 + s.maxBatch, o.order.count)
      var g = 0
      for j in 1..<o.gpuFreeAt.count where o.gpuFreeAt[j] < o.gpuFreeAt[g] { g = j }
      var lastReady = 0.0, promptSum = 0, ctxSum = 0.0
      for j in b0..<b1 {
        let q = queries[o.order[j]]
        lastReady = max(lastReady, o.ready[o.order[j]])
        promptSum += q.prompt
        ctxSum += Double(q.prompt) + Double(q.output - 1) / 2
      }
      let b = b1 - b0
      let start = max(o.gpuFreeAt[g], lastReady)
      let prefill = e.prefillSeconds(promptSum)
      let t1 = e.decodeSecondsPerToken(context: ctxSum / Double(b))
      // Outputs in ascending order (insertion sort; b <= maxBatch).
      var outs = [Int](); outs.reserveCapacity(b)
      for j in b0..<b1 {
        let m = queries[o.order[j]].output
        var p = outs.count
        outs.append(m)
        while p > 0 && outs[p - 1] > m { outs[p] = outs[p - 1]; p -= 1 }
        outs[p] = m
      }
      // Finish time offset after decoding m tokens: piecewise over the sorted outputs.
      func decodeTime(_ m: Int) -> Double {
        var t = 0.0, prev = 0
        for (jj, mj) in outs.enumerated() {
          let upto = min(mj, m)
          if upto > prev {
            t += Double(upto - prev) * t1 * (1 + s.batchSlowdown * Double(b - 1 - jj))
            prev = upto
          }
          if mj >= m { break }
        }
        return t
      }
      var batchEnd = start
      for j in b0..<b1 {
        let i = o.order[j]
        let comp = prefill + decodeTime(queries[i].output)
        o.queue[i] = start - o.ready[i]
        o.compute[i] = comp
        o.gpu[i] = g
        o.startAt[i] = start
        o.doneAt[i] = start + comp
        batchEnd = max(batchEnd, start + comp)
      }
      o.gpuFreeAt[g] = batchEnd
      b0 = b1
    }
  }
}
