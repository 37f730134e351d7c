// Overlapped world-model training (WorldModelConfig.overlapTraining, docs/decisions/0206).
// Synchronous WM-PPO runs, per iteration k: rollout k → train the model on the replay through rollout k →
// imagine from rollout k's states → PPO update. Overlapped, the training of iteration k runs as a job on a second
// thread while the main thread does PPO's update on rollout k and collects rollout k + 1:
//   iteration k:  join job k−1 → filter rollout k with model M_{k−1} (forward only: branch states, held-out
//                 errors, residual pools) → imagine with M_{k−1} → start job k (train M_{k−1} → M_k on the replay
//                 through rollout k, the same passes as synchronous training) → PPO update → …
// So imagination uses a model one rollout older than synchronous training would, and the held-out error is the
// model's error on a rollout it has not trained on at all (synchronous: prequential within the rollout).
// Determinism: the job reads only copies made when it starts (the replay, the observation variances, its replay
// RNG) and the models, which nothing else touches until the join — so its result does not depend on when the
// threads run, and `trainInline` (the job run on the calling thread) gives the same bits.
import Dispatch
import TensorCore

/// One training job in flight: runs `work` on a global queue (or inline) and hands its result to one waiter.
final class ModelTrainingJob: @unchecked Sendable {
  private let done = DispatchSemaphore(value: 0)
  // Written once by the job before it signals `done`; read only after waiting on it.
  private var outcome: Result<Double, Error> = .success(.nan)
  private var seconds = 0.0

  init(inline: Bool, work: @escaping () throws -> Double) {
    let run = { [self] in
      let t0 = monotonicSeconds()
      outcome = Result { try work() }
      seconds = monotonicSeconds() - t0
      done.signal()
    }
    if inline {
      run()
    } else {
      let body = Unchecked(run: run)   // the job owns what it reads until joined (see the header)
      DispatchQueue.global(qos: .userInitiated).async { body.run() }
    }
  }

  private struct Unchecked: @unchecked Sendable { let run: () -> Void }

  /// Blocks until the job has finished; its mean training loss (or error) and its own wall seconds.
  func wait() -> (outcome: Result<Double, Error>, seconds: Double) {
    done.wait()
    return (outcome, seconds)
  }
}

extension WMExtension {
  /// Whether training overlaps the next rollout (a learned model with `overlapTraining`).
  var overlapped: Bool { !config.simulator && config.model.overlapTraining }

  /// Starts job k: every model trains on the replay through the newest rollout, as synchronous training would.
  func launchTraining(iteration: Int, variance: [Double], newestEnvs: Int) {
    join()
    let models = members, replay = recent, config = config, pick = rng.split("replay").split(iteration)
    pending = ModelTrainingJob(inline: trainInline) {
      try WMExtension.trainPasses(models: models, replay: replay, config: config, variance: variance, pick: pick,
                                  newestEnvs: newestEnvs).meanLoss
    }
  }

  /// Waits for the job in flight (if any) and keeps its outcome; the models are the caller's afterwards.
  func join() {
    guard let job = pending else { return }
    pending = nil
    let r = job.wait()
    finished = r.outcome
    timings["train_job", default: 0] += r.seconds
  }

  /// Joins the job in flight and rethrows its error, if it failed (once).
  public func settle() throws {
    join()
    if case .failure(let error) = finished {
      finished = .success(.nan)
      throw error
    }
  }

  /// Overlapped iteration k: joins job k−1, then filters the newest rollout with the models (forward only)
  /// for the branch states, the residual pools and the held-out errors; `wmLoss` is job k−1's mean loss.
  func filterNewest(_ buffer: RolloutBuffer, stats: inout TrainStats) throws -> (hs: [[Float]], pools: [[Float]]) {
    try settle()
    var hs: [[Float]] = [], pools: [[Float]] = []
    for m in members {
      let r = try m.train(on: buffer, learn: false)
      if hs.isEmpty { lastPass = r }
      hs.append(r.hPrev)
      pools.append(config.residualSampling ? r.residuals : [])
    }
    record(lastPass!, stats: &stats)
    if case .success(let loss) = finished { stats.wmLoss = loss }
    return (hs, pools)
  }
}
