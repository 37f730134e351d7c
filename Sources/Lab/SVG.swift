// Minimal deterministic SVG writer: XML-escaped text, fixed 2-decimal coordinates, attributes in the
// order given. No dependencies.
import Foundation

public struct SVGWriter {
  public private(set) var body = ""
  public let width: Double
  public let height: Double

  public init(width: Double, height: Double) { self.width = width; self.height = height }

  /// Okabe–Ito colour-blind-friendly palette (yellow last: low contrast on white).
  public static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]
  /// Dash patterns used after the palette wraps around, so series stay distinguishable.
  static let dashes = ["", "6 3", "2 2", "8 3 2 3"]

  public static func colour(_ i: Int) -> String { palette[i % palette.count] }
  public static func dash(_ i: Int) -> String { dashes[(i / palette.count) % dashes.count] }

  public static func escape(_ s: String) -> String {
    var out = ""
    for u in s.unicodeScalars {
      switch u {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      default:
        // XML 1.0 forbids most control characters even escaped; drop them.
        if u.value < 0x20 && u != "\t" && u != "\n" { continue }
        out.unicodeScalars.append(u)
      }
    }
    return out
  }

  public static func num(_ x: Double) -> String { NumberFormat.fixed(x, digits: 2) }

  /// Append an element. `attrs` values are escaped; numbers should be pre-formatted with `num`.
  public mutating func element(_ name: String, _ attrs: [(String, String)], text: String? = nil) {
    body += "<" + name
    for (k, v) in attrs { body += " \(k)=\"\(SVGWriter.escape(v))\"" }
    if let t = text { body += ">" + SVGWriter.escape(t) + "</\(name)>\n" } else { body += "/>\n" }
  }

  public mutating func open(_ name: String, _ attrs: [(String, String)]) {
    body += "<" + name
    for (k, v) in attrs { body += " \(k)=\"\(SVGWriter.escape(v))\"" }
    body += ">\n"
  }

  public mutating func close(_ name: String) { body += "</\(name)>\n" }

  public mutating func comment(_ text: String) {
    body += "<!-- " + SVGWriter.escape(text).replacingOccurrences(of: "--", with: "- -") + " -->\n"
  }

  public func document() -> String {
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(SVGWriter.num(width))\" height=\"\(SVGWriter.num(height))\" "
      + "viewBox=\"0 0 \(SVGWriter.num(width)) \(SVGWriter.num(height))\" "
      + "font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
      + body + "</svg>\n"
  }

  /// Path data "M x y L x y …" through the points.
  public static func polyline(_ pts: [(Double, Double)]) -> String {
    pts.enumerated().map { i, p in (i == 0 ? "M" : "L") + num(p.0) + " " + num(p.1) }.joined(separator: " ")
  }
}
