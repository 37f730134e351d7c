import Foundation
import XCTest
@testable import Lab

final class FormatTests: XCTestCase {
  func testRoundTripSpelling() {
    let cases: [(Double, String)] = [
      (1, "1"), (-3, "-3"), (0, "0"), (-0.0, "-0"), (0.1, "0.1"), (1e20, "1e20"), (1e-7, "1e-7"),
      (2.5e-5, "2.5e-5"), (1e15, "1000000000000000"), (1e16, "1e16"), (123.456, "123.456"),
      (1.2345678901234568e17, "1.2345678901234568e17"), (5e-324, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e308"),
      (.nan, "nan"), (.infinity, "inf"), (-.infinity, "-inf"),
    ]
    for (x, s) in cases { XCTAssertEqual(NumberFormat.roundTrip(x), s, "\(x)") }
  }

  func testRoundTripParsesBackExactlyForRandomBitPatterns() {
    var rng = SplitMix64(seed: 42)
    for _ in 0..<20000 {
      let x = Double(bitPattern: rng.next())
      guard x.isFinite else { continue }
      let s = NumberFormat.roundTrip(x)
      XCTAssertEqual(Double(s)!.bitPattern, x.bitPattern, s)
      XCTAssertFalse(s.hasSuffix(".0"))
      XCTAssertFalse(s.contains("+"))
    }
  }

  func testDisplayAndIntervalPrecision() {
    XCTAssertEqual(NumberFormat.display(0.15312500000000012), "0.1531")
    XCTAssertEqual(NumberFormat.display(12.2912345), "12.29")
    XCTAssertEqual(NumberFormat.display(1234.5678), "1235")
    XCTAssertEqual(NumberFormat.display(42), "42")
    XCTAssertEqual(NumberFormat.display(-0.5), "-0.5")
    XCTAssertEqual(NumberFormat.display(2.5e-5), "2.5e-5")
    XCTAssertEqual(NumberFormat.display(123456789.5), "1.235e8")
    XCTAssertEqual(NumberFormat.display(9999960.5), "1e7")
    XCTAssertEqual(NumberFormat.display(9999960), "9999960")   // integral values stay integers
    XCTAssertEqual(NumberFormat.display(.nan), "nan")
    // Two significant digits of the interval's width.
    XCTAssertEqual(NumberFormat.interval(0.15312500000000012, lo: 0.1187, hi: 0.1875), "0.153 [0.119, 0.188]")
    XCTAssertEqual(NumberFormat.interval(12.29, lo: 10.76, hi: 13.9), "12.3 [10.8, 13.9]")
    XCTAssertEqual(NumberFormat.interval(250, lo: 100, hi: 400), "250 [100, 400]")
    XCTAssertEqual(NumberFormat.interval(0.5, lo: 0.5, hi: 0.5), "0.500 [0.500, 0.500]")
  }

  func testMarkdownTablesShowNumbersAtTheirPrecision() {
    let t = CSVTable(columns: ["variant", "acc", "acc_lo", "acc_hi", "ppl", "n"],
                     rows: [["f32", "0.15312500000000012", "0.11874999999999999", "0.18750000000000003", "12.291234", "40"],
                            ["q4", "0.2", "", "", "nan", "7"]])
    let md = Report.markdownTable(t)
    XCTAssertTrue(md.hasPrefix("| variant | acc [95% CI] | ppl | n |\n"), md)
    XCTAssertTrue(md.contains("| f32 | 0.153 [0.119, 0.188] | 12.29 | 40 |"), md)
    XCTAssertTrue(md.contains("| q4 | 0.2 | nan | 7 |"), md)
    XCTAssertFalse(md.contains("0.15312500000000012"))
  }

  func testFixed() {
    XCTAssertEqual(NumberFormat.fixed(3.14159, digits: 2), "3.14")
    XCTAssertEqual(NumberFormat.fixed(-0.004, digits: 2), "0")
    XCTAssertEqual(NumberFormat.fixed(-2.5, digits: 2), "-2.5")
    XCTAssertEqual(NumberFormat.fixed(10, digits: 2), "10")
    XCTAssertEqual(NumberFormat.fixed(0.07, digits: 2), "0.07")
    XCTAssertEqual(NumberFormat.fixed(1234.5, digits: 0), "1235")
  }

  func testCanonicalJSONSortsKeysAndEscapes() throws {
    let v: JSONValue = ["b": 1, "a": ["z": true, "y": nil], "é": "x\"\\\n\u{01}", "n": .number(.nan), "f": 0.5,
                        "arr": [1, 2.5, "s"]]
    let compact = CanonicalJSON.string(v, pretty: false)
    XCTAssertEqual(compact, #"{"a":{"y":null,"z":true},"arr":[1,2.5,"s"],"b":1,"f":0.5,"n":null,"é":"x\"\\\n\u0001"}"#)
    let pretty = CanonicalJSON.string(v, pretty: true)
    XCTAssertEqual(pretty, CanonicalJSON.string(v, pretty: true))
    // Foundation's parser agrees with our reading of the text.
    let parsed = try JSONSerialization.jsonObject(with: Data(pretty.utf8)) as! [String: Any]
    XCTAssertEqual(parsed["b"] as? Int, 1)
    XCTAssertEqual(parsed["é"] as? String, "x\"\\\n\u{01}")
    XCTAssertEqual((parsed["a"] as! [String: Any])["z"] as? Bool, true)
    XCTAssertTrue(pretty.hasPrefix("{\n  \"a\": {\n    \"y\": null,"))
  }

  func testSHA256Vectors() {
    XCTAssertEqual(SHA256.hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    XCTAssertEqual(SHA256.hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    XCTAssertEqual(SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                   "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    XCTAssertEqual(SHA256.hex(String(repeating: "a", count: 1_000_000)),
                   "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  }
}
