import XCTest

/// `edgelab fetch` when an asset's archive cannot be downloaded: the default BIG-bench members come from the
/// repository's vendored copy, checked against the checksums measured on bigbench==1.0.0's sdist; anything
/// the copy lacks is a clear error. pip is kept off every index (PIP_NO_INDEX, no find-links), as offline.
final class FetchVendoredTests: XCTestCase {
  static let offline = ["PIP_NO_INDEX": "1", "PIP_FIND_LINKS": "", "PIP_CONFIG_FILE": "/dev/null"]

  func testOfflineFetchCopiesTheVendoredTasksAndChecksThem() throws {
    guard let exe = Repo.binary else { throw XCTSkip("edgelab binary not built next to the tests") }
    let dir = try Repo.tempDir("fetch-vendored")
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try CLIRunner.run(exe, ["fetch", "bigbench", "--assets", dir.path], env: Self.offline, timeout: 120)
    XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
    XCTAssertTrue(r.stdout.contains("copied 6 member(s) from the repository's vendored copy"), r.stdout)
    XCTAssertTrue(r.stdout.contains("could not download bigbench==1.0.0"), r.stdout)
    // The copies equal the vendored files, and the sha256 recorded for each matches an independent hash.
    for task in ["general_knowledge/task.json", "truthful_qa/task_mc.json", "truthful_qa/questions.json"] {
      let got = try Data(contentsOf: dir.appendingPathComponent("data/bigbench/\(task)"))
      let want = try Data(contentsOf: Repo.root.appendingPathComponent("vendor/bigbench-1.0.0/\(task)"))
      XCTAssertEqual(got, want, task)
    }
    let sums = try CLIRunner.run(URL(fileURLWithPath: "/usr/bin/env"),
                                 ["sha256sum", dir.appendingPathComponent("data/bigbench/misconceptions/task.json").path])
    XCTAssertTrue(sums.stdout.hasPrefix("f6091db702cb3f3f699c570f732828283a85dbf137b1e1a65b7bcbbe98ebe6db"), sums.stdout)
    // A second run finds everything in place.
    let again = try CLIRunner.run(exe, ["fetch", "bigbench", "--assets", dir.path], env: Self.offline, timeout: 120)
    XCTAssertEqual(again.status, 0, again.stderr)
    XCTAssertTrue(again.stdout.contains("bigbench: up to date (6 file(s))"), again.stdout)
  }

  func testOfflineFetchOfATaskOutsideTheVendoredCopyIsAClearError() throws {
    guard let exe = Repo.binary else { throw XCTSkip("edgelab binary not built next to the tests") }
    let dir = try Repo.tempDir("fetch-vendored-extra")
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try CLIRunner.run(exe, ["fetch", "--tasks", "word_sorting", "--assets", dir.path],
                              env: Self.offline, timeout: 120)
    XCTAssertNotEqual(r.status, 0)
    XCTAssertTrue(r.stderr.contains("could not download bigbench==1.0.0"), r.stderr)
    XCTAssertTrue(r.stderr.contains("not of data/bigbench/word_sorting"), r.stderr)
    XCTAssertTrue(r.stderr.contains("edgelab fetch: failed: bigbench"), r.stderr)
    XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("data/bigbench").path))
  }
}
