// Minimal deterministic SVG writer: XML-escaped text, fixed 2-decimal coordinates, attributes in the
// order given. No dependencies.
import Foundation

public struct SVGWriter {
  public private(set) var body = ""
  public let width: Double
  public let height: Double

  public init(width: Double, height: Double) { self.width = width; self.height = height }

  /// The Okabe–Ito colour-blind-safe colours that keep a WCAG 3:1 contrast against the white background
  /// (blue, vermillion, bluish green, reddish purple, black). Its orange (2.2:1), sky blue (2.4:1) and
  /// yellow (1.4:1) are left out: on white they were hard to read. Series beyond five are told apart by
  /// marker shape and dash pattern, which change with the series index too.
  public static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000"]
  /// Dash patterns used after the palette wraps around, so series stay distinguishable.
  static let dashes = ["", "6 3", "2 2", "8 3 2 3"]
  /// Marker shapes, one per series index (cycle of 7, coprime with the 5 colours).
  public enum Marker: String, CaseIterable { case circle, square, triangle, diamond, triangleDown = "triangle-down", plus, cross }

  public static func colour(_ i: Int) -> String { palette[i % palette.count] }
  public static func dash(_ i: Int) -> String { dashes[(i / palette.count) % dashes.count] }
  public static func marker(_ i: Int) -> Marker { Marker.allCases[i % Marker.allCases.count] }

  /// WCAG 2 contrast ratio of a "#RRGGBB" colour against white.
  public static func contrastOnWhite(_ hex: String) -> Double {
    let v = Int(hex.dropFirst(), radix: 16) ?? 0
    func lin(_ c: Int) -> Double { let s = Double(c) / 255; return s <= 0.03928 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4) }
    let l = 0.2126 * lin((v >> 16) & 255) + 0.7152 * lin((v >> 8) & 255) + 0.0722 * lin(v & 255)
    return 1.05 / (l + 0.05)
  }

  /// Width of `text` at `fontSize` in Helvetica/Arial, bounded above: 0.62 em per character covers every
  /// Latin letter and digit except W and M (0.83–0.94 em), which count for a full em.
  public static func textWidth(_ text: String, fontSize: Double) -> Double {
    text.reduce(0.0) { w, ch in w + (ch == "W" || ch == "M" || ch == "m" || ch == "w" ? 1.0 : 0.62) } * fontSize
  }

  /// A marker of `shape` centred at (x, y) with radius r.
  public mutating func marker(_ shape: Marker, x: Double, y: Double, r: Double, colour: String, attrs: [(String, String)] = []) {
    typealias W = SVGWriter
    let base = attrs + [("data-marker", shape.rawValue)]
    func poly(_ pts: [(Double, Double)]) -> String { W.polyline(pts.map { (x + $0.0 * r, y + $0.1 * r) }) + " Z" }
    switch shape {
    case .circle:
      element("circle", base + [("cx", W.num(x)), ("cy", W.num(y)), ("r", W.num(r)), ("fill", colour)])
    case .square:
      element("rect", base + [("x", W.num(x - r * 0.85)), ("y", W.num(y - r * 0.85)), ("width", W.num(1.7 * r)),
                              ("height", W.num(1.7 * r)), ("fill", colour)])
    case .triangle: element("path", base + [("d", poly([(0, -1.15), (1.05, 0.75), (-1.05, 0.75)])), ("fill", colour)])
    case .triangleDown: element("path", base + [("d", poly([(0, 1.15), (1.05, -0.75), (-1.05, -0.75)])), ("fill", colour)])
    case .diamond: element("path", base + [("d", poly([(0, -1.2), (1.1, 0), (0, 1.2), (-1.1, 0)])), ("fill", colour)])
    case .plus, .cross:
      let d = shape == .plus ? "M\(W.num(x - r)) \(W.num(y)) L\(W.num(x + r)) \(W.num(y)) M\(W.num(x)) \(W.num(y - r)) L\(W.num(x)) \(W.num(y + r))"
        : "M\(W.num(x - r)) \(W.num(y - r)) L\(W.num(x + r)) \(W.num(y + r)) M\(W.num(x - r)) \(W.num(y + r)) L\(W.num(x + r)) \(W.num(y - r))"
      element("path", base + [("d", d), ("stroke", colour), ("stroke-width", "2"), ("fill", "none")])
    }
  }

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
