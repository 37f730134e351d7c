import XCTest
@testable import EnvKit
import TensorCore

final class SpacesTests: XCTestCase {
  func testBoxMembershipAndErrors() throws {
    let b = try BoxSpace(low: [0, -1], high: [1, 1])
    XCTAssertTrue(b.contains([0.5, -1]))
    XCTAssertFalse(b.contains([1.5, 0]))
    XCTAssertFalse(b.contains([.nan, 0]))
    XCTAssertFalse(b.contains([0.5]))
    XCTAssertEqual(b.firstViolation([0.5, 2]), 1)
    XCTAssertThrowsError(try BoxSpace(low: [1], high: [0]))
    XCTAssertThrowsError(try BoxSpace(low: [0, 0], high: [1]))
    var rng = RNG(seed: 1)
    let u = try BoxSpace(low: [-.infinity, 0], high: [.infinity, 3])
    for _ in 0..<100 { XCTAssertTrue(u.contains(u.sample(&rng))); XCTAssertTrue(b.contains(b.sample(&rng))) }
  }

  func testActionSpaceValidationAndMaskedSampling() throws {
    let s = ActionSpace.multiDiscrete([2, 3])
    XCTAssertEqual(s.maskCount, 5)
    XCTAssertTrue(s.contains([1, 2]))
    XCTAssertFalse(s.contains([2, 0]))
    XCTAssertFalse(s.contains([0]))
    XCTAssertThrowsError(try s.validate([0, 3])) { e in
      XCTAssertEqual(e as? EnvError, .invalidAction("action[1] = 3 outside 0..<3"))
    }
    XCTAssertThrowsError(try s.validate([0, 0, 0]))
    let mask = [false, true, true, false, true]
    XCTAssertThrowsError(try s.validate([0, 0], mask: mask))
    XCTAssertNoThrow(try s.validate([1, 2], mask: mask))
    var rng = RNG(seed: 2)
    var seen = Set<[Int]>()
    for _ in 0..<200 {
      let a = s.sample(&rng, mask: mask)
      XCTAssertNoThrow(try s.validate(a, mask: mask))
      seen.insert(a)
    }
    XCTAssertEqual(seen, [[1, 0], [1, 2]])
    XCTAssertThrowsError(try ActionSpace.multiDiscrete([2, 0]).validateSpace())
  }
}
