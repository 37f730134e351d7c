import EnvKit
import Foundation
import XCTest
@testable import RL
import TensorCore

final class CheckpointTests: XCTestCase {
  func tmp(_ name: String) -> String {
    let dir = NSTemporaryDirectory() + "edgelab-rl-\(getpid())"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir + "/" + name
  }

  func params<E>(_ p: PPO<E>) -> [Float] { p.net.parameters.flatMap { $0.toArray() } }
  /// Every logged scalar but the wall-clock SPS, bit for bit (NaN-safe).
  func deterministicHistory(_ h: [TrainStats]) -> [[UInt64]] {
    h.map { var s = $0; s.sps = .nan; return s.values.map(\.bitPattern) }
  }

  /// A run killed after a checkpoint and resumed from it ends exactly where the uninterrupted run ends.
  func runResume(wm: WMPPOConfig?) throws {
    var cfg = cartPoleConfig()
    cfg.numEnvs = 2; cfg.numSteps = 32; cfg.checkpointEvery = 2
    let make: (Int) throws -> CartPole = { i in CartPole(seed: UInt64(i)) }
    func build() throws -> PPO<CartPole> {
      if let wm { return try PPO.wmppo(config: cfg, wm: wm, seed: 9, totalSteps: 64 * 6, makeEnv: make) }
      return try PPO(config: cfg, seed: 9, totalSteps: 64 * 6, makeEnv: make)
    }
    let path = tmp("run-\(wm == nil ? "ppo" : "wm").json"), copy = path + ".iter4"
    let a = try build()
    a.checkpointPath = path
    try a.train(steps: 64 * 6) { s in
      if s.iteration == 4 { try? FileManager.default.removeItem(atPath: copy); try FileManager.default.copyItem(atPath: path, toPath: copy) }
    }
    let b = try PPO<CartPole>.load(path: copy, makeEnv: make)
    XCTAssertEqual(b.iteration, 4)
    XCTAssertEqual(b.worldModel == nil, wm == nil)
    try b.train(steps: 64 * 2)
    XCTAssertEqual(b.globalStep, a.globalStep)
    XCTAssertEqual(params(a), params(b))
    XCTAssertEqual(deterministicHistory(a.history), deterministicHistory(b.history))
    if wm != nil {
      XCTAssertTrue(a.history.contains { $0.imaginationOn == 1 && $0.imaginedSamples > 0 }, "imagination never ran")
    }
    if let wa = a.worldModel, let wb = b.worldModel {
      XCTAssertEqual(wa.models[0].namedParameters().flatMap { $0.1.toArray() },
                     wb.models[0].namedParameters().flatMap { $0.1.toArray() })
    }
  }

  func testPPOResumeIsExact() throws { try runResume(wm: nil) }

  func testWMPPOResumeIsExact() throws {
    var wm = WMPPOConfig()
    wm.warmupIterations = 1
    wm.gate = false
    wm.rollouts = true; wm.rolloutSkill = false   // imagined rollouts every iteration, whatever the early model's skill
    wm.model.seqLen = 8
    try runResume(wm: wm)
  }

  /// Full-strength imagination with residual sampling (its own RNG streams) must resume exactly too.
  func testWMPPOResumeIsExactWithResidualSampling() throws {
    var wm = WMPPOConfig()
    wm.warmupIterations = 1
    wm.gate = false
    wm.model.seqLen = 8
    wm.betaMode = .fixed; wm.rollouts = true; wm.rolloutSkill = false; wm.residualSampling = true
    try runResume(wm: wm)
  }

  /// The entity-factored one-step path (CartPole as one entity of 4 features) saves and resumes exactly too.
  func testWMPPOResumeIsExactWithEntityPath() throws {
    var wm = WMPPOConfig()
    wm.warmupIterations = 1
    wm.gate = false
    wm.model.seqLen = 8
    wm.model.entities = 1; wm.model.entityFeatures = 4; wm.model.entityHidden = 8
    wm.betaMode = .fixed; wm.rollouts = true; wm.rolloutSkill = false
    try runResume(wm: wm)
  }

  func testCorruptCheckpointIsAClearError() throws {
    let p = tmp("bad.json")
    FileManager.default.createFile(atPath: p, contents: Data("{\"format\": 3}".utf8))
    XCTAssertThrowsError(try PPO<CartPole>.load(path: p) { i in CartPole(seed: UInt64(i)) }) { e in
      XCTAssertTrue("\(e)".contains("not a valid EdgeLab RL checkpoint"), "\(e)")
    }
    XCTAssertThrowsError(try PPO<CartPole>.load(path: tmp("missing.json")) { i in CartPole(seed: UInt64(i)) })
  }

  func testSameSeedSameRun() throws {
    var cfg = cartPoleConfig()
    cfg.numEnvs = 2; cfg.numSteps = 32
    let a = try PPO(config: cfg, seed: 3, totalSteps: 256) { i in CartPole(seed: UInt64(i)) }
    let b = try PPO(config: cfg, seed: 3, totalSteps: 256) { i in CartPole(seed: UInt64(i)) }
    try a.train(steps: 128); try b.train(steps: 128)
    XCTAssertEqual(params(a), params(b))
    let c = try PPO(config: cfg, seed: 4, totalSteps: 256) { i in CartPole(seed: UInt64(i)) }
    try c.train(steps: 128)
    XCTAssertNotEqual(params(a), params(c))
  }
}
