import Foundation
import XCTest
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import Lab

/// Collects every element (name + attributes) of an XML document; fails on malformed XML.
final class XMLCollector: NSObject, XMLParserDelegate {
  var elements: [(String, [String: String])] = []
  var text = ""
  func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
              attributes: [String: String] = [:]) {
    elements.append((name, attributes))
  }
  func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

  static func parse(_ svg: String) throws -> XMLCollector {
    let c = XMLCollector()
    let p = XMLParser(data: Data(svg.utf8))
    p.delegate = c
    guard p.parse() else { throw LabError.invalidPlot("XML parse error: \(String(describing: p.parserError))") }
    return c
  }

  func with(_ name: String, cls: String) -> [[String: String]] {
    elements.filter { $0.0 == name && $0.1["class"] == cls }.map { $0.1 }
  }
}

/// The legend's text elements and their x positions.
final class LegendTextCollector: NSObject, XMLParserDelegate {
  var depth = 0, legendDepth: Int? = nil, current: Double? = nil, buffer = ""
  var texts: [(Double, String)] = []
  func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
              attributes: [String: String] = [:]) {
    depth += 1
    if name == "g" && attributes["class"] == "legend" { legendDepth = depth }
    if name == "text" && legendDepth != nil { current = Double(attributes["x"] ?? ""); buffer = "" }
  }
  func parser(_ parser: XMLParser, foundCharacters string: String) { if current != nil { buffer += string } }
  func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
    if name == "text", let x = current { texts.append((x, buffer)); current = nil }
    if let l = legendDepth, depth == l { legendDepth = nil }
    depth -= 1
  }
}

final class TicksTests: XCTestCase {
  func testLinearNiceTicks() {
    let a = Ticks.linear(0, 1)
    XCTAssertEqual(a.ticks, [0, 0.2, 0.4, 0.6, 0.8, 1])
    XCTAssertEqual(a.labels, ["0", "0.2", "0.4", "0.6", "0.8", "1"])
    let b = Ticks.linear(0, 97)
    XCTAssertEqual(b.ticks, [0, 20, 40, 60, 80, 100])
    let c = Ticks.linear(-3.2, 7.9)
    XCTAssertEqual(c.ticks, [-4, -2, 0, 2, 4, 6, 8])
    XCTAssertEqual([c.lo, c.hi], [-4, 8])
    let d = Ticks.linear(0, 250_000)
    XCTAssertEqual(d.ticks, [0, 50_000, 100_000, 150_000, 200_000, 250_000])
    XCTAssertEqual(d.labels, ["0", "50k", "100k", "150k", "200k", "250k"])
    let e = Ticks.linear(0.12, 0.135)
    XCTAssertEqual(e.ticks.first!, 0.12, accuracy: 1e-12)
    XCTAssertEqual(e.labels.first, "0.12")
    XCTAssertEqual(e.labels, ["0.12", "0.125", "0.13", "0.135"])   // rough 0.003 → residual 3 → step 5e-3
    let f = Ticks.linear(0, 3e6)
    XCTAssertEqual(f.labels, ["0", "0.5M", "1M", "1.5M", "2M", "2.5M", "3M"])
    let g = Ticks.linear(5, 5)             // degenerate range widens
    XCTAssertEqual([g.lo, g.hi], [4.4, 5.6])   // widened to 4.5…5.5, step 0.2
    let h = Ticks.linear(0, 4e-5)
    XCTAssertEqual(h.labels, ["0", "1e-5", "2e-5", "3e-5", "4e-5"])
    XCTAssertEqual(Ticks.linear(0, 5e-4).labels, ["0", "1e-4", "2e-4", "3e-4", "4e-4", "5e-4"])
    XCTAssertEqual(Ticks.exponentLabel(2.5e-7), "2.5e-7")
    XCTAssertEqual(Ticks.exponentLabel(9.999e20), "1e21")
  }

  func testLogTicks() {
    let a = Ticks.log(3, 4000)
    XCTAssertEqual(a.ticks, [1, 10, 100, 1000, 10000])
    XCTAssertEqual(a.labels, ["1", "10", "100", "1000", "10k"])
    let b = Ticks.log(0.02, 0.3)
    XCTAssertEqual(b.ticks, [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1])
    XCTAssertEqual(b.labels, ["0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1"])
    let c = Ticks.log(1e-6, 1e6)
    XCTAssertEqual(c.labels, ["1e-6", "1e-4", "0.01", "1", "100", "10k", "1M"])
    let d = Ticks.log(1e-7, 1e6)   // 13 decades, every 3: ends on a tick
    XCTAssertEqual(d.labels, ["1e-7", "1e-4", "0.1", "100", "100k", "100M"])
    XCTAssertEqual(d.hi, 1e8)
    XCTAssertEqual(a.fraction(100)!, 0.5, accuracy: 1e-12)
    XCTAssertNil(a.fraction(0))
  }
}

final class FigureTests: XCTestCase {
  /// Two agents × 3 seeds × 3 steps; y = step/100 + seed (so seed spread is 1, 2, 3 → sd 1).
  func curves() -> PlotData {
    var rows: [[JSONValue]] = []
    for agent in ["ppo", "wm<ppo> & \"x\""] {
      for seed in 1...3 {
        for step in [0, 100, 200] {
          rows.append([.string(agent), .int(seed), .int(step), .number(Double(step) / 100 + Double(seed))])
        }
      }
    }
    return PlotData(columns: ["agent", "seed", "step", "return"], rows: rows)
  }

  func testLineWithBandParsesAndNamesSeries() throws {
    var spec = PlotSpec(kind: .line, x: "step", y: "return", by: "agent", band: "seed")
    spec.title = "A & B <test>"
    let svg = try Figure.svg(spec, data: curves())
    let doc = try XMLCollector.parse(svg)
    let lines = doc.with("path", cls: "line")
    XCTAssertEqual(lines.map { $0["data-series"]! }, ["ppo", "wm<ppo> & \"x\""])
    XCTAssertEqual(doc.with("path", cls: "band").count, 2)
    XCTAssertEqual(doc.with("g", cls: "legend-item").count, 2)
    XCTAssertTrue(doc.text.contains("A & B <test>"))
    XCTAssertEqual(svg, try Figure.svg(spec, data: curves()), "deterministic")
  }

  func testSummaryMeanAndCIByHand() throws {
    let pts = curves().rows.map { Point(series: $0[0].plainText, x: $0[2], y: $0[3].doubleValue!, band: $0[1].plainText) }
    let s = try Figure.summarise(pts, useBand: true)
    XCTAssertEqual(s.map(\.name), ["ppo", "wm<ppo> & \"x\""])
    XCTAssertEqual(s[0].xs, [0, 100, 200])
    // at step 100: samples 2, 3, 4 → mean 3, sd 1, half = t(0.975,2)/sqrt(3) = 4.302652729911275/1.7320508
    let c = s[0].cis[1]
    XCTAssertEqual(c.mean, 3, accuracy: 1e-12)
    XCTAssertEqual(c.high - c.mean, 4.302652729911275 / 3.0.squareRoot(), accuracy: 1e-9)
    XCTAssertEqual(c.n, 3)
    // Replicate rows at one x are averaged first: duplicate a seed's row with a different y.
    var dup = pts
    dup.append(Point(series: "ppo", x: .int(100), y: 4, band: "1"))    // seed 1 at 100: (2 + 4)/2 = 3
    let d = try Figure.summarise(dup, useBand: true)
    XCTAssertEqual(d[0].cis[1].n, 3)
    XCTAssertEqual(d[0].cis[1].mean, (3.0 + 3 + 4) / 3, accuracy: 1e-12)
  }

  func testLineMapsMeanToPixel() throws {
    // Single series without band: y mean at x=0 equals the row value; check the path's first point.
    let data = PlotData(columns: ["x", "y"], rows: [[0, 0], [5, 10], [10, 5]])
    let svg = try Figure.svg(PlotSpec(kind: .line, x: "x", y: "y"), data: data)
    let d = try XMLCollector.parse(svg).with("path", cls: "line")[0]["d"]!
    // Frame: left 72, right 760-170=590, top 44, bottom 440-56=384; x ticks 0..10, y ticks 0..10.
    XCTAssertEqual(d, "M72 384 L331 44 L590 214")
  }

  func testBarsWithErrorBars() throws {
    var rows: [[JSONValue]] = []
    for q in ["Q4_0", "Q8_0", "F32"] { for m in ["acc", "halu"] { for seed in 1...4 { rows.append([.string(q), .string(m), .int(seed), .number(Double(seed) * 0.1)]) } } }
    let data = PlotData(columns: ["quant", "metric", "seed", "value"], rows: rows)
    let svg = try Figure.svg(PlotSpec(kind: .bar, x: "quant", y: "value", by: "metric", band: "seed"), data: data)
    let doc = try XMLCollector.parse(svg)
    let bars = doc.with("rect", cls: "bar")
    XCTAssertEqual(bars.count, 6)
    XCTAssertEqual(bars.map { $0["data-group"]! }, ["Q4_0", "Q8_0", "F32", "Q4_0", "Q8_0", "F32"])
    XCTAssertEqual(doc.with("path", cls: "errorbar").count, 6)
    XCTAssertTrue(doc.text.contains("Q8_0"))
    XCTAssertThrowsError(try Figure.svg({ var s = PlotSpec(kind: .bar, x: "quant", y: "value"); s.logx = true; return s }(), data: data))
  }

  func testParetoFrontByHand() {
    // minimise x (energy), maximise y (accuracy)
    let pts: [(Double, Double)] = [(1, 0.5), (2, 0.7), (2, 0.6), (3, 0.65), (4, 0.9), (5, 0.9), (0.5, 0.2)]
    XCTAssertEqual(Figure.paretoFront(pts, minX: true, minY: false).sorted(), [0, 1, 4, 6])
    // minimise both: (0.5,0.2) dominates all but nothing else is better on y
    XCTAssertEqual(Figure.paretoFront(pts, minX: true, minY: true), [6])
    // maximise both: (5, 0.9) dominates (4, 0.9)
    XCTAssertEqual(Figure.paretoFront(pts, minX: false, minY: false), [5])
  }

  func testScatterWithParetoAndLogAxes() throws {
    let data = PlotData(columns: ["model", "energy", "acc"],
                        rows: [["a", 1, 0.5], ["a", 2, 0.7], ["b", 10, 0.9], ["b", 100, 0.8], ["b", 0, 0.99]])
    var spec = PlotSpec(kind: .scatter, x: "energy", y: "acc", by: "model")
    spec.logx = true
    spec.pareto = .minXmaxY
    let doc = try XMLCollector.parse(try Figure.svg(spec, data: data))
    XCTAssertEqual(doc.elements.filter { $0.1["class"] == "point" }.count, 4, "x = 0 is dropped on a log axis")
    XCTAssertEqual(doc.with("circle", cls: "point").count, 2, "series a: circles")
    XCTAssertEqual(doc.with("rect", cls: "point").count, 2, "series b: squares")
    XCTAssertEqual(doc.with("path", cls: "pareto")[0]["data-points"], "3")
    XCTAssertEqual(doc.with("g", cls: "legend-item").map { $0["data-series"]! }, ["a", "b", "Pareto front"])
  }

  func testLegendShortensLongNames() throws {
    let long = String(repeating: "n", count: 40)
    let data = PlotData(columns: ["s", "x", "y"], rows: [[.string(long), 1, 2], [.string(long), 2, 3], ["short", 1, 1], ["short", 2, 2]])
    let doc = try XMLCollector.parse(try Figure.svg(PlotSpec(kind: .line, x: "x", y: "y", by: "s"), data: data))
    XCTAssertEqual(doc.with("g", cls: "legend-item")[0]["data-series"], long)
    XCTAssertTrue(doc.text.contains("n…"))
    XCTAssertFalse(doc.text.contains(long))
    XCTAssertTrue(doc.text.contains("short"))
  }

  /// Legend text (at its font size, Helvetica/Arial widths bounded by SVGWriter.textWidth) never runs past
  /// the canvas, whatever the names, the number of series or the figure width.
  func testNoLegendTextRunsPastTheCanvas() throws {
    for (width, n, name) in [(760.0, 2, "WM-PPO (world model, ρ = 0.9, horizon 5)"), (400.0, 7, "greedy-offload-all-users"),
                             (760.0, 30, "MMMMMMMMMMMMMMMMMMMMMMMM"), (200.0, 3, "x")] {
      var rows: [[JSONValue]] = []
      for i in 0..<n { rows.append([.string("\(name) \(i)"), 0, .int(i)]); rows.append([.string("\(name) \(i)"), 1, .int(i + 1)]) }
      var spec = PlotSpec(kind: .line, x: "x", y: "y", by: "s")
      spec.width = width
      let svg = try Figure.svg(spec, data: PlotData(columns: ["s", "x", "y"], rows: rows))
      let doc = try XMLCollector.parse(svg)
      let size = Double(doc.with("g", cls: "legend").first?["font-size"] ?? "") ?? 0
      XCTAssertGreaterThan(size, 0)
      // The legend's text elements: <text x=… y=…> inside legend items (parsed in document order).
      var inLegend = false, texts: [(Double, String)] = []
      let parser = LegendTextCollector()
      let xp = XMLParser(data: Data(svg.utf8)); xp.delegate = parser; XCTAssertTrue(xp.parse())
      texts = parser.texts; _ = inLegend; inLegend = true
      XCTAssertEqual(texts.count, n)
      for (x, t) in texts {
        XCTAssertLessThanOrEqual(x + SVGWriter.textWidth(t, fontSize: size), width, "\(t) at width \(width)")
      }
    }
  }

  func testLinePlotsHaveMarkersShapedPerSeries() throws {
    var rows: [[JSONValue]] = []
    for (s, off) in [("ppo", 0), ("wmppo", 0), ("random", 1)] { for x in 0..<4 { rows.append([.string(s), .int(x), .int(x + off)]) } }
    let doc = try XMLCollector.parse(try Figure.svg(PlotSpec(kind: .line, x: "x", y: "y", by: "s"), data: PlotData(columns: ["s", "x", "y"], rows: rows)))
    let markers = doc.elements.filter { $0.1["class"] == "marker" && $0.1["data-series"] != nil }
    XCTAssertEqual(markers.count, 12, "one marker per point")
    // ppo and wmppo coincide: their markers differ in shape, so both stay visible.
    let shapes = Dictionary(grouping: markers, by: { $0.1["data-series"]! }).mapValues { Set($0.map { $0.1["data-marker"]! }) }
    XCTAssertEqual(shapes["ppo"], ["circle"]); XCTAssertEqual(shapes["wmppo"], ["square"]); XCTAssertEqual(shapes["random"], ["triangle"])
    // Legend entries show the line and the marker.
    let legendMarkers = doc.elements.filter { $0.1["class"] == "marker" && $0.1["data-series"] == nil }
    XCTAssertEqual(legendMarkers.count, 3)
  }

  func testSingleSeriesHasNoLegendButParetoEntryShowsItsLine() throws {
    let one = PlotData(columns: ["x", "y"], rows: [[0, 1], [1, 2]])
    XCTAssertTrue(try XMLCollector.parse(try Figure.svg(PlotSpec(kind: .line, x: "x", y: "y"), data: one)).with("g", cls: "legend").isEmpty)
    var spec = PlotSpec(kind: .scatter, x: "x", y: "y")
    spec.pareto = .minXmaxY
    let doc = try XMLCollector.parse(try Figure.svg(spec, data: one))
    XCTAssertEqual(doc.with("g", cls: "legend-item").map { $0["data-series"]! }, ["y", "Pareto front"])
    let swatch = doc.with("line", cls: "swatch")
    XCTAssertEqual(swatch.count, 1)
    XCTAssertEqual(swatch.first?["stroke-dasharray"], "5 3")
    XCTAssertEqual(swatch.first?["stroke"], "#222")
  }

  func testPaletteIsReadableOnWhite() {
    XCTAssertEqual(SVGWriter.contrastOnWhite("#000000"), 21, accuracy: 1e-9)
    XCTAssertEqual(SVGWriter.contrastOnWhite("#FFFFFF"), 1, accuracy: 1e-9)
    XCTAssertEqual(SVGWriter.contrastOnWhite("#E69F00"), 2.2, accuracy: 0.1)   // Okabe–Ito orange: left out
    for c in SVGWriter.palette { XCTAssertGreaterThanOrEqual(SVGWriter.contrastOnWhite(c), 3, c) }
    // Series 0…34 get distinct (colour, marker, dash) triples.
    let triples = Set((0..<35).map { "\(SVGWriter.colour($0)) \(SVGWriter.marker($0)) \(SVGWriter.dash($0))" })
    XCTAssertEqual(triples.count, 35)
  }

  func testManySeriesLegendStaysInsideFigure() throws {
    var rows: [[JSONValue]] = []
    for i in 0..<30 { rows.append([.string("s\(i)"), 0, .int(i)]); rows.append([.string("s\(i)"), 1, .int(i + 1)]) }
    let spec = PlotSpec(kind: .line, x: "x", y: "y", by: "s")
    let doc = try XMLCollector.parse(try Figure.svg(spec, data: PlotData(columns: ["s", "x", "y"], rows: rows)))
    XCTAssertEqual(doc.with("path", cls: "line").count, 30)
    // legend text column: right (590) + 16 + 28 = 634
    let legendText = doc.elements.filter { $0.0 == "text" && $0.1["x"] == "634" }
    let ys: [Double] = legendText.compactMap { Double($0.1["y"] ?? "") }
    XCTAssertEqual(ys.count, 30)
    XCTAssertLessThanOrEqual(ys.max() ?? Double.infinity, spec.height)
  }

  func testBadSpecErrors() {
    let data = PlotData(columns: ["x", "y"], rows: [["a", 1]])
    XCTAssertThrowsError(try Figure.svg(PlotSpec(x: "nope", y: "y"), data: data)) {
      XCTAssertTrue("\($0)".contains("no column 'nope'"))
    }
    XCTAssertThrowsError(try Figure.svg(PlotSpec(x: "x", y: "y"), data: data)) {
      XCTAssertTrue("\($0)".contains("not a number"))
    }
  }
}
