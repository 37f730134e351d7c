import CQuantKernels
import XCTest

/// The heap retention the edgelab executable sets at start-up (Sources/edgelab/main.swift) is applied where the
/// C library has the settings (glibc), not silently compiled out.
final class ProcessHeapTests: XCTestCase {
  func testRetentionIsAppliedOnGlibc() throws {
    #if os(Linux)
    XCTAssertEqual(qk_heap_retain(32 << 20, 64 << 20), 1)
    #else
    throw XCTSkip("heap settings exist on glibc only")
    #endif
  }
}
