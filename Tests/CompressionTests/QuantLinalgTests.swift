// Cholesky / SPD inverse / GPTQ Hessian against a hand case, numpy fixtures and defining identities.
import Foundation
import XCTest
import TensorCore
@testable import Compression

enum QuantFixtures {
  static let dir: String = {
    var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast()
    return parts.joined(separator: "/") + "/Fixtures"
  }()
  static func load(_ name: String) throws -> [String: Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name))
    return try JSONSerialization.jsonObject(with: data) as! [String: Any]
  }
  static func bytes(_ s: Any?) -> [UInt8] { [UInt8](Data(base64Encoded: s as! String)!) }
  static func floats(_ s: Any?) -> [Float] { bytes(s).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) } }
}

final class QuantLinalgTests: XCTestCase {
  func testHandCase() throws {
    var a: [Double] = [4, 2, 2, 3]
    try Linalg.choleskyLower(&a, n: 2)
    XCTAssertEqual(a[0], 2, accuracy: 1e-15); XCTAssertEqual(a[1], 0)
    XCTAssertEqual(a[2], 1, accuracy: 1e-15); XCTAssertEqual(a[3], 2.0.squareRoot(), accuracy: 1e-15)
    let inv = try Linalg.inverseSPD([4, 2, 2, 3], n: 2)
    for (g, w) in zip(inv, [3.0 / 8, -2.0 / 8, -2.0 / 8, 4.0 / 8]) { XCTAssertEqual(g, w, accuracy: 1e-15) }
    let U = try Linalg.upperCholeskyOfInverse([4, 2, 2, 3], n: 2)
    let u11 = (3.0 / 8).squareRoot(), u12 = -0.25 / u11, u22 = (0.5 - u12 * u12).squareRoot()
    for (g, w) in zip(U, [u11, u12, 0, u22]) { XCTAssertEqual(g, w, accuracy: 1e-14) }
  }

  func testAgainstNumpy() throws {
    let fx = try QuantFixtures.load("cholesky.json")
    let n = fx["n"] as! Int
    let A = fx["A"] as! [Double]
    var L = A
    try Linalg.choleskyLower(&L, n: n)
    for (g, w) in zip(L, fx["L"] as! [Double]) { XCTAssertEqual(g, w, accuracy: 1e-10 * max(1, abs(w))) }
    for (g, w) in zip(try Linalg.inverseSPD(A, n: n), fx["inv"] as! [Double]) { XCTAssertEqual(g, w, accuracy: 1e-9 * max(1, abs(w))) }
    for (g, w) in zip(try Linalg.upperCholeskyOfInverse(A, n: n), fx["U"] as! [Double]) { XCTAssertEqual(g, w, accuracy: 1e-9 * max(1, abs(w))) }
  }

  func testBlockedPathIdentities() throws {
    let n = 150                                              // > one 64-column panel
    var rng = RNG(seed: 3)
    let m = 200
    let X = (0..<(m * n)).map { _ in rng.normal() }
    var A = [Double](repeating: 0, count: n * n)
    for i in 0..<n { for j in 0..<n { var s = 0.0; for t in 0..<m { s += X[t * n + i] * X[t * n + j] }; A[i * n + j] = s / Double(m) } }
    for i in 0..<n { A[i * n + i] += 0.05 }
    var L = A
    try Linalg.choleskyLower(&L, n: n)
    var maxErr = 0.0
    for i in 0..<n { for j in 0..<n {
      var s = 0.0; for k in 0..<n { s += L[i * n + k] * L[j * n + k] }
      maxErr = max(maxErr, abs(s - A[i * n + j]))
      if j > i { XCTAssertEqual(L[i * n + j], 0) }
    } }
    XCTAssertLessThan(maxErr, 1e-10)
    let inv = try Linalg.inverseSPD(A, n: n)
    var idErr = 0.0
    for i in 0..<n { for j in 0..<n {
      var s = 0.0; for k in 0..<n { s += A[i * n + k] * inv[k * n + j] }
      idErr = max(idErr, abs(s - (i == j ? 1 : 0)))
    } }
    XCTAssertLessThan(idErr, 1e-9)
    let U = try Linalg.upperCholeskyOfInverse(A, n: n)
    var uErr = 0.0
    for i in 0..<n { for j in 0..<n {
      var s = 0.0; for k in 0..<n { s += U[k * n + i] * U[k * n + j] }
      uErr = max(uErr, abs(s - inv[i * n + j]))
      if i > j { XCTAssertEqual(U[i * n + j], 0) }
    } }
    XCTAssertLessThan(uErr, 1e-9)
  }

  func testNotPositiveDefinite() {
    var a: [Double] = [1, 2, 2, 1]
    XCTAssertThrowsError(try Linalg.choleskyLower(&a, n: 2)) { e in
      guard case LinalgError.notPositiveDefinite(let c, _) = e else { return XCTFail("\(e)") }
      XCTAssertEqual(c, 1)
    }
    var b: [Double] = [1, 2, 3]
    XCTAssertThrowsError(try Linalg.choleskyLower(&b, n: 2))
  }

  func testHessianAccumulation() throws {
    let cols = 12, n1 = 7, n2 = 13
    var rng = RNG(seed: 8)
    let X = (0..<((n1 + n2) * cols)).map { _ in Float(rng.normal()) }
    var h = GPTQHessian(cols: cols)
    try h.add(Array(X[0..<(n1 * cols)]), rows: n1)
    try h.add(Array(X[(n1 * cols)...]), rows: n2)
    XCTAssertEqual(h.samples, n1 + n2)
    let H = h.matrix
    for i in 0..<cols { for j in 0..<cols {
      var s = 0.0
      for t in 0..<(n1 + n2) { s += Double(X[t * cols + i]) * Double(X[t * cols + j]) }
      XCTAssertEqual(H[i * cols + j], 2 * s / Double(n1 + n2), accuracy: 1e-5 * max(1, abs(s)))
    } }
    XCTAssertThrowsError(try h.add([1, 2, 3], rows: 1))
  }
}
