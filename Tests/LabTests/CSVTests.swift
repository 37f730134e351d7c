import Foundation
import XCTest
@testable import Lab

func temporaryDirectory() -> URL {
  let u = FileManager.default.temporaryDirectory.appendingPathComponent("labtests-\(UUID().uuidString)")
  try! FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
  return u
}

final class CSVTests: XCTestCase {
  func writeSample(_ url: URL) throws {
    let w = try CSVWriter(url: url, columns: ["agent", "seed", "step", "return"])
    try w.add(["ppo", 1, 0, 0.1])
    try w.add(["wm,ppo", 2, 100, .number(-1e-7)])
    try w.add(["say \"hi\"\nthere", .null, 3, .number(.nan)])
    try w.add(["seed": 4, "agent": "keyed", "return": 2.5])
    try w.close()
  }

  func testQuotingAndNumbers() throws {
    let dir = temporaryDirectory()
    let u = dir.appendingPathComponent("a.csv")
    try writeSample(u)
    let text = try String(contentsOf: u, encoding: .utf8)
    XCTAssertEqual(text, """
      agent,seed,step,return
      ppo,1,0,0.1
      "wm,ppo",2,100,-1e-7
      "say ""hi""
      there",,3,nan
      keyed,4,,2.5

      """)
    let t = try CSVTable.parse(text)
    XCTAssertEqual(t.columns, ["agent", "seed", "step", "return"])
    XCTAssertEqual(t.rows[1], ["wm,ppo", "2", "100", "-1e-7"])
    XCTAssertEqual(t.rows[2][0], "say \"hi\"\nthere")
    XCTAssertEqual(CSVTable.value(t.rows[1][3]), .number(-1e-7))
    XCTAssertTrue(CSVTable.value(t.rows[2][3]).doubleValue!.isNaN)
  }

  func testByteIdenticalAcrossTwoWrites() throws {
    let dir = temporaryDirectory()
    try writeSample(dir.appendingPathComponent("1.csv"))
    try writeSample(dir.appendingPathComponent("2.csv"))
    XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("1.csv")),
                   try Data(contentsOf: dir.appendingPathComponent("2.csv")))
    for name in ["1.jsonl", "2.jsonl"] {
      let j = try JSONLWriter(url: dir.appendingPathComponent(name))
      try j.add(["z": 1, "a": [0.1, "x"], "m": ["q": nil, "b": false]])
      try j.add(["k": .number(1e300)])
      try j.close()
    }
    let j1 = try Data(contentsOf: dir.appendingPathComponent("1.jsonl"))
    XCTAssertEqual(j1, try Data(contentsOf: dir.appendingPathComponent("2.jsonl")))
    XCTAssertEqual(String(decoding: j1, as: UTF8.self), "{\"a\":[0.1,\"x\"],\"m\":{\"b\":false,\"q\":null},\"z\":1}\n{\"k\":1e300}\n")
  }

  func testAtomicity() throws {
    let dir = temporaryDirectory()
    let u = dir.appendingPathComponent("s.csv")
    let w = try CSVWriter(url: u, columns: ["x"])
    for i in 0..<100 { try w.add([.int(i)]) }
    XCTAssertFalse(FileManager.default.fileExists(atPath: u.path), "final name must not exist before close/flush")
    XCTAssertTrue(FileManager.default.fileExists(atPath: u.path + ".partial"))
    try w.flush()   // publishes a complete snapshot
    XCTAssertEqual(try CSVTable.read(u).rows.count, 100)
    try w.add([100])
    XCTAssertEqual(try CSVTable.read(u).rows.count, 100, "snapshot is not touched by later rows")
    try w.close()
    XCTAssertEqual(try CSVTable.read(u).rows.count, 101)
    XCTAssertFalse(FileManager.default.fileExists(atPath: u.path + ".partial"))
    XCTAssertThrowsError(try w.add([1])) { XCTAssertEqual($0 as? LabError, .closed("s.csv")) }
    // No temporary files left behind.
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["s.csv"])
  }

  func testRowErrors() throws {
    let w = try CSVWriter(url: temporaryDirectory().appendingPathComponent("e.csv"), columns: ["a", "b"])
    XCTAssertThrowsError(try w.add([1])) { XCTAssertEqual($0 as? LabError, .columnCount(file: "e.csv", expected: 2, got: 1)) }
    XCTAssertThrowsError(try w.add(["c": 1])) { XCTAssertEqual($0 as? LabError, .unknownColumn(file: "e.csv", column: "c")) }
    XCTAssertThrowsError(try CSVWriter(url: temporaryDirectory().appendingPathComponent("d.csv"), columns: ["a", "a"]))
  }

  func testParserEdgeCases() throws {
    let t = try CSVTable.parse("a,b\r\n\"x\"\"y\",\r\n,\"\"\r\n")
    XCTAssertEqual(t.rows, [["x\"y", ""], ["", ""]])
    XCTAssertThrowsError(try CSVTable.parse("a,b\n1\n"))
    XCTAssertThrowsError(try CSVTable.parse("a\n\"open\n"))
    XCTAssertThrowsError(try CSVTable.parse("a\nx\"y\n"))
  }
}
