import XCTest
@testable import EnvKit
import TensorCore

final class VectorEnvTests: XCTestCase {
  /// Autoreset semantics, final observations and episode statistics against a hand-driven copy of each env.
  func testAutoresetFinalObsAndEpisodeStats() throws {
    let n = 3
    let vec = try VectorEnv(count: n) { _ in Corridor(limit: 6) }
    vec.reset(seed: 100)
    var refs = (0..<n).map { _ in Corridor(limit: 6) }
    for i in 0..<n { let (o, _) = refs[i].reset(seed: 100 + UInt64(i)); XCTAssertEqual(vec.observation(i), o) }
    var refReturn = [Double](repeating: 0, count: n), refLen = [Int](repeating: 0, count: n)
    var rng = RNG(seed: 5)
    var ended = 0
    for _ in 0..<60 {
      var acts: [Int] = []
      for i in 0..<n {
        let m = Array(vec.masks[(i * 3)..<(i * 3 + 3)])
        XCTAssertEqual(m, refs[i].actionMask()!)
        acts += vec.actionSpace.sample(&rng, mask: m)
      }
      try vec.step(acts)
      for i in 0..<n {
        let s = try refs[i].step([acts[i]])
        XCTAssertEqual(vec.rewards[i], s.reward)
        XCTAssertEqual(vec.terminated[i], s.terminated)
        XCTAssertEqual(vec.truncated[i], s.truncated)
        refReturn[i] += Double(s.reward); refLen[i] += 1
        if s.done {
          ended += 1
          XCTAssertEqual(vec.finalObservations[i], s.obs)
          XCTAssertEqual(vec.finalInfos[i], s.info)
          XCTAssertEqual(vec.episodes[i]?.length, refLen[i])
          XCTAssertEqual(vec.episodes[i]!.episodeReturn, refReturn[i], accuracy: 1e-9)
          let (o, _) = refs[i].reset(seed: nil)
          XCTAssertEqual(vec.observation(i), o)
          XCTAssertEqual(o[1], 0)  // new episode starts at t = 0
          refReturn[i] = 0; refLen[i] = 0
        } else {
          XCTAssertNil(vec.finalObservations[i]); XCTAssertNil(vec.episodes[i])
          XCTAssertEqual(vec.observation(i), s.obs)
        }
      }
    }
    XCTAssertGreaterThan(ended, 10)
    XCTAssertEqual(vec.totalSteps, 60 * n)
    XCTAssertThrowsError(try vec.step([0, 1]))
  }
}
