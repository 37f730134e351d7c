import XCTest
@testable import TensorCore

/// The large-buffer pool (StoragePool.swift): reuse by exact capacity, the byte limit, draining.
final class StoragePoolTests: XCTestCase {
  private var savedLimit = 0, savedMinimum = 0

  override func setUp() { savedLimit = StoragePool.limitBytes; savedMinimum = StoragePool.minimumCount }

  override func tearDown() {   // the process-wide settings as they were, for the tests that run after these
    StoragePool.limitBytes = savedLimit
    StoragePool.minimumCount = savedMinimum
    StoragePool.poisonReused = false
    StoragePool.drain()
  }

  func testReusesLargeBuffersByExactCapacityWithinTheLimit() {
    StoragePool.drain()
    let n = StoragePool.minimumCount + 3
    var first: UnsafeMutablePointer<Float>?
    do { let t = Tensor(uninitialized: [n]); first = t.data }
    XCTAssertEqual(StoragePool.pooledBytes, n * 4, "a freed large buffer is kept")
    do {
      let other = Tensor(uninitialized: [n + 1])          // another capacity: not the kept buffer
      XCTAssertNotEqual(other.data, first)
      let same = Tensor(uninitialized: [n])
      XCTAssertEqual(same.data, first, "the kept buffer comes back for the same capacity")
    }
    XCTAssertEqual(StoragePool.pooledBytes, (2 * n + 1) * 4)
    // Small buffers never enter the pool.
    do { _ = Tensor(uninitialized: [StoragePool.minimumCount - 1]) }
    XCTAssertEqual(StoragePool.pooledBytes, (2 * n + 1) * 4)
    // Lowering the limit releases what is above it; a buffer that would exceed it is released, not kept.
    StoragePool.limitBytes = n * 4 + 100
    XCTAssertLessThanOrEqual(StoragePool.pooledBytes, n * 4 + 100)
    StoragePool.drain()
    XCTAssertEqual(StoragePool.pooledBytes, 0)
    StoragePool.limitBytes = n * 4
    do { _ = Tensor(uninitialized: [n]); _ = Tensor(uninitialized: [n]) }
    XCTAssertEqual(StoragePool.pooledBytes, n * 4, "the second buffer would exceed the limit")
  }

  func testPoisonFillsReusedBuffersWithNaN() {
    StoragePool.drain()
    StoragePool.poisonReused = true
    let n = StoragePool.minimumCount
    do { _ = Tensor(zeros: [n]) }
    let t = Tensor(uninitialized: [n])
    XCTAssertTrue(t.toArray().allSatisfy(\.isNaN))
    XCTAssertEqual(Tensor(zeros: [n]).toArray().max(), 0, "initialising constructors still write every element")
  }
}
