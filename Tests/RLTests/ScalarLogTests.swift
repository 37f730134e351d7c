import Foundation
import XCTest
@testable import RL

final class ScalarLogTests: XCTestCase {
  /// `values` lines up with the header and keeps full precision; the CSV prints counts as integers, other
  /// scalars with 6 significant digits, NaN as an empty cell; the deterministic CSV drops exactly `sps`.
  func testValuesAndCSVRowAgree() throws {
    var s = TrainStats()
    s.iteration = 7; s.globalStep = 1_234_567; s.episodes = 3; s.imaginationOn = 1; s.imaginedSamples = 48
    s.policyLoss = 0.123456789; s.sps = 4321.5; s.rolloutRatioUsed = -2.5e-7
    let v = s.values, row = s.csvRow, header = TrainStats.csvHeader
    XCTAssertEqual(v.count, header.count)
    XCTAssertEqual(row.count, header.count)
    func col(_ k: String) -> Int { header.firstIndex(of: k)! }
    XCTAssertEqual(v[col("policy_loss")], 0.123456789)
    XCTAssertEqual(row[col("policy_loss")], "0.123457")
    XCTAssertEqual(row[col("global_step")], "1234567")
    XCTAssertEqual(row[col("iteration")], "7")
    XCTAssertEqual(row[col("imagined_samples")], "48")
    XCTAssertEqual(row[col("rollout_ratio")], "-2.5e-07")
    XCTAssertEqual(row[col("value_loss")], "")
    XCTAssertTrue(v[col("value_loss")].isNaN)

    let path = NSTemporaryDirectory() + "edgelab-scalarlog-\(getpid()).csv"
    defer { try? FileManager.default.removeItem(atPath: path) }
    let csv = try ScalarCSV(path: path, deterministicOnly: true)
    try csv.append(s)
    let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    XCTAssertEqual(lines[0], header.filter { $0 != "sps" })
    var expect = row; expect.remove(at: col("sps"))
    XCTAssertEqual(lines[1], expect)
  }
}
