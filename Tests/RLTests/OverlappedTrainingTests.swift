import EnvKit
import XCTest
@testable import RL
import TensorCore
#if canImport(Glibc)
import Glibc
#endif

/// Overlapped world-model training (WMPPO+Overlap.swift, docs/decisions/0206): the job of iteration k trains
/// exactly as synchronous training would, imagination at k + 1 uses that model, and nothing depends on when the
/// job's thread runs.
final class OverlappedTrainingTests: XCTestCase {
  func history(_ h: [TrainStats]) -> [[UInt64]] { h.map { var s = $0; s.sps = .nan; return s.values.map(\.bitPattern) } }
  func modelParams(_ p: PPO<CartPole>) -> [Float] {
    p.worldModel!.models.flatMap { $0.namedParameters().flatMap { $0.1.toArray() } }
  }
  func policyParams(_ p: PPO<CartPole>) -> [Float] { p.net.parameters.flatMap { $0.toArray() } }

  func agent(_ wm: WMPPOConfig) throws -> PPO<CartPole> {
    var cfg = cartPoleConfig()
    cfg.numEnvs = 2; cfg.numSteps = 32
    return try PPO.wmppo(config: cfg, wm: wm, seed: 5, totalSteps: 64 * 8) { i in CartPole(seed: UInt64(i)) }
  }

  /// The same run with the job on another thread (joined at once, or after it has surely finished) and on the
  /// calling thread: bit-identical histories, policies and models — with imagination on every iteration, an
  /// ensemble of 2 and residual sampling, so branch states, residual pools and both models are used.
  func testThreadScheduleDoesNotMatter() throws {
    var wm = WMPPOConfig()
    wm.gate = false; wm.warmupIterations = 0; wm.betaMode = .fixed
    wm.ensemble = 2; wm.residualSampling = true; wm.model.seqLen = 8
    XCTAssertTrue(wm.model.overlapTraining, "overlapped training is the default")
    let threaded = try agent(wm), late = try agent(wm), inline = try agent(wm)
    inline.worldModel!.trainInline = true
    try threaded.train(steps: 64 * 8)
    try inline.train(steps: 64 * 8)
    for _ in 0..<8 {
      try late.runIteration()
      usleep(20_000)   // the job has finished long before the next iteration joins it
    }
    try late.worldModel!.settle()
    XCTAssertTrue(threaded.history.allSatisfy { $0.imaginationOn == 1 && $0.mveBetaUsed > 0 }, "imagination did not run")
    for other in [inline, late] {
      XCTAssertEqual(history(threaded.history), history(other.history))
      XCTAssertEqual(policyParams(threaded), policyParams(other))
      XCTAssertEqual(modelParams(threaded), modelParams(other))
    }
  }

  /// With imagination off (long warm-up) both runs act alike, so: after the job of iteration k the models equal
  /// synchronous training's after iteration k; iteration k + 1 reports that job's loss, and its held-out error is
  /// that model's forward-only error on rollout k + 1 (a rollout it has not trained on).
  func testJobTrainsLikeSynchronousTrainingAndImaginationUsesThePreviousModel() throws {
    var wm = WMPPOConfig()
    wm.warmupIterations = 100; wm.model.seqLen = 8
    var synchronous = wm
    synchronous.model.overlapTraining = false
    let o = try agent(wm), s = try agent(synchronous)
    for _ in 0..<3 {
      try o.runIteration()
      try s.runIteration()
    }
    try o.worldModel!.settle()
    XCTAssertEqual(modelParams(o), modelParams(s))   // M_3
    try o.runIteration()                             // filters rollout 4 with M_3, starts job 4
    let rollout4 = o.worldModel!.recent.last!
    let heldOut = try s.worldModel!.models[0].filter(rollout4)   // s has not trained on rollout 4: still M_3
    XCTAssertEqual(o.history[3].wmValidationError.bitPattern, heldOut.modelError.bitPattern)
    XCTAssertEqual(o.history[3].wmBaselineError.bitPattern, heldOut.baselineError.bitPattern)
    XCTAssertEqual(o.history[3].wmLoss.bitPattern, s.history[2].wmLoss.bitPattern)   // job 3's loss
    XCTAssertTrue(o.history[0].wmLoss.isNaN, "no job has finished before iteration 1")
    // Synchronous training scores rollout 4 prequentially while learning it: another number.
    try s.runIteration()
    XCTAssertEqual(o.history.map(\.policyLoss), s.history.map(\.policyLoss))   // imagination off: the same PPO
    XCTAssertNotEqual(o.history[3].wmValidationError, s.history[3].wmValidationError)
  }

  /// A checkpoint taken with a job in flight holds the trained model; reading `models` waits for the job.
  func testModelsAccessWaitsForTheJob() throws {
    var wm = WMPPOConfig()
    wm.model.seqLen = 8
    let a = try agent(wm), b = try agent(wm)
    b.worldModel!.trainInline = true
    for _ in 0..<3 {
      try a.runIteration()
      try b.runIteration()
    }
    XCTAssertNotNil(a.worldModel!.pending)
    XCTAssertEqual(modelParams(a), modelParams(b))
    XCTAssertNil(a.worldModel!.pending)
    let c = try a.checkpoint()
    XCTAssertEqual(c.wmJobLoss?.bitPattern, try b.worldModel!.finished.get().bitPattern)
  }
}
