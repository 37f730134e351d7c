import Foundation
import XCTest
@testable import TensorCore

/// BinaryFileWriter (ByteStorage.swift) and AtomicReplace: temp file + rename, and the sweep of temp files left by
/// killed writers (AtomicReplace.temporaryPath).
final class BinaryFileWriterTests: XCTestCase {
  private var directory = ""

  override func setUpWithError() throws {
    directory = NSTemporaryDirectory() + "binary-writer-\(getpid())-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
  }

  override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

  private func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: directory + "/" + name) }

  private func touch(_ name: String) {
    XCTAssertTrue(FileManager.default.createFile(atPath: directory + "/" + name, contents: Data([1, 2, 3])))
  }

  /// The pid of a process that has exited and been reaped.
  private func deadPid() throws -> pid_t {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/true")
    try process.run()
    process.waitUntilExit()
    let pid = process.processIdentifier
    XCTAssertEqual(kill(pid, 0), -1)
    return pid
  }

  func testWritesAtomicallyAndLeavesNoTemporary() throws {
    let writer = try BinaryFileWriter(path: directory + "/out.bin")
    try writer.write([7, 8, 9])
    XCTAssertFalse(exists("out.bin"), "nothing under the final name before finish")
    try writer.finish()
    XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: directory + "/out.bin")), Data([7, 8, 9]))
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["out.bin"])
  }

  func testAbandonedWriterRemovesItsTemporary() throws {
    do {
      let writer = try BinaryFileWriter(path: directory + "/out.bin")
      try writer.write([1])
    }
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), [])
  }

  func testOpeningRemovesTemporariesOfDeadWritersOnThisHostOnly() throws {
    let host = AtomicReplace.hostName(), dead = try deadPid()
    let stale = "out.bin.tmp.\(host).\(dead)"
    let live = "out.bin.tmp.\(host).1"                    // pid 1 always exists
    let otherHost = "out.bin.tmp.\(host)-other.\(dead)"    // another node of a shared file system
    let otherFile = "other.bin.tmp.\(host).\(dead)"        // another destination
    let notAPid = "out.bin.tmp.\(host).12x"
    for name in [stale, live, otherHost, otherFile, notAPid] { touch(name) }
    let writer = try BinaryFileWriter(path: directory + "/out.bin")
    try writer.write([5])
    try writer.finish()
    XCTAssertFalse(exists(stale))
    for name in [live, otherHost, otherFile, notAPid, "out.bin"] { XCTAssertTrue(exists(name), name) }
  }

  func testAtomicReplaceRemovesTemporariesOfDeadWritersToo() throws {
    let stale = "out.json.tmp.\(AtomicReplace.hostName()).\(try deadPid())"
    touch(stale)
    try AtomicReplace.write(Data([4, 2]), to: directory + "/out.json")
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["out.json"])
  }
}
