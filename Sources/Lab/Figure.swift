// Figures: a plot specification, the data it reads (tidy rows), and the shared frame (title, axes, grid,
// legend). The three kinds live in Figure+Line, Figure+Bar and Figure+Scatter. Output is deterministic:
// series keep the order in which they first appear in the data, coordinates have two decimals.
import Foundation

public struct PlotSpec: Equatable {
  public enum Kind: String, CaseIterable { case line, bar, scatter }
  /// Which direction is better on each axis for the Pareto front of a scatter plot.
  public enum Pareto: String, CaseIterable {
    case minXmaxY = "min-max", minXminY = "min-min", maxXmaxY = "max-max", maxXminY = "max-min"
  }
  public var kind: Kind = .line
  public var x: String
  public var y: String
  /// Column naming the series (one line / bar colour / marker colour per value).
  public var by: String?
  /// Column naming the replicate (e.g. seed): line and bar plots show the mean over replicates with a 95%
  /// Student-t confidence band / error bar.
  public var band: String?
  public var logx = false
  public var logy = false
  public var pareto: Pareto?
  public var title: String?
  public var xlabel: String?
  public var ylabel: String?
  public var width = 760.0
  public var height = 440.0

  public init(kind: Kind = .line, x: String, y: String, by: String? = nil, band: String? = nil) {
    self.kind = kind; self.x = x; self.y = y; self.by = by; self.band = band
  }
}

/// Tidy rows: named columns, one JSON value per cell (numbers, strings, null).
public struct PlotData {
  public var columns: [String]
  public var rows: [[JSONValue]]

  public init(columns: [String], rows: [[JSONValue]]) { self.columns = columns; self.rows = rows }

  public init(_ table: CSVTable) {
    columns = table.columns
    rows = table.rows.map { $0.map(CSVTable.value) }
  }

  func index(_ name: String) throws -> Int {
    guard let i = columns.firstIndex(of: name) else {
      throw LabError.invalidPlot("no column '\(name)' (columns: \(columns.joined(separator: ", ")))")
    }
    return i
  }
}

/// One plotted row after column lookup.
struct Point { var series: String; var x: JSONValue; var y: Double; var band: String? }

public enum Figure {
  /// Render `data` according to `spec` as an SVG document.
  public static func svg(_ spec: PlotSpec, data: PlotData) throws -> String {
    let xi = try data.index(spec.x), yi = try data.index(spec.y)
    let si = try spec.by.map { try data.index($0) }
    let bi = try spec.band.map { try data.index($0) }
    var pts: [Point] = []
    for r in data.rows {
      guard let y = r[yi].doubleValue else { continue }   // empty / non-numeric y: skipped
      pts.append(Point(series: si.map { r[$0].plainText } ?? spec.y, x: r[xi], y: y, band: bi.map { r[$0].plainText }))
    }
    switch spec.kind {
    case .line: return try lineChart(spec, pts)
    case .bar: return try barChart(spec, pts)
    case .scatter: return try scatterChart(spec, pts)
    }
  }

  /// Series names in order of first appearance.
  static func seriesOrder(_ pts: [Point]) -> [String] {
    var seen = Set<String>(), out: [String] = []
    for p in pts where !seen.contains(p.series) { seen.insert(p.series); out.append(p.series) }
    return out
  }
}

/// Layout and the common parts of every figure.
struct Frame {
  var svg: SVGWriter
  let left = 72.0, top = 44.0
  let right: Double, bottom: Double
  var xs: Scale
  var ys: Scale

  init(_ spec: PlotSpec, xs: Scale, ys: Scale) {
    svg = SVGWriter(width: spec.width, height: spec.height)
    right = spec.width - 170
    bottom = spec.height - 56
    self.xs = xs; self.ys = ys
  }

  func px(_ v: Double) -> Double? { xs.fraction(v).map { left + $0 * (right - left) } }
  func py(_ v: Double) -> Double? { ys.fraction(v).map { bottom - $0 * (bottom - top) } }

  /// Background, title, grid, axes with ticks and labels; `categories` replaces the x ticks (bar charts).
  mutating func drawAxes(_ spec: PlotSpec, categories: [(String, Double)]? = nil) {
    typealias W = SVGWriter
    svg.element("rect", [("width", W.num(svg.width)), ("height", W.num(svg.height)), ("fill", "white")])
    if let t = spec.title {
      svg.element("text", [("class", "title"), ("x", W.num((left + right) / 2)), ("y", "24"),
                           ("text-anchor", "middle"), ("font-size", "15"), ("font-weight", "bold")], text: t)
    }
    svg.open("defs", [])
    svg.open("clipPath", [("id", "plot-area")])
    svg.element("rect", [("x", W.num(left)), ("y", W.num(top)), ("width", W.num(right - left)),
                         ("height", W.num(bottom - top))])
    svg.close("clipPath")
    svg.close("defs")
    svg.open("g", [("class", "grid"), ("stroke", "#e5e5e5"), ("stroke-width", "1")])
    for t in ys.ticks { if let y = py(t) { svg.element("line", [("x1", W.num(left)), ("x2", W.num(right)), ("y1", W.num(y)), ("y2", W.num(y))]) } }
    if categories == nil {
      for t in xs.ticks { if let x = px(t) { svg.element("line", [("x1", W.num(x)), ("x2", W.num(x)), ("y1", W.num(top)), ("y2", W.num(bottom))]) } }
    }
    svg.close("g")
    svg.open("g", [("class", "axis x"), ("stroke", "#333"), ("stroke-width", "1")])
    svg.element("line", [("x1", W.num(left)), ("x2", W.num(right)), ("y1", W.num(bottom)), ("y2", W.num(bottom))])
    let xticks: [(String, Double)] = categories ?? zip(xs.labels, xs.ticks).compactMap { l, t in px(t).map { (l, $0) } }
    for (label, x) in xticks {
      svg.element("line", [("x1", W.num(x)), ("x2", W.num(x)), ("y1", W.num(bottom)), ("y2", W.num(bottom + 5))])
      svg.element("text", [("class", "tick"), ("x", W.num(x)), ("y", W.num(bottom + 19)), ("text-anchor", "middle"),
                           ("stroke", "none"), ("fill", "#333")], text: label)
    }
    svg.close("g")
    svg.open("g", [("class", "axis y"), ("stroke", "#333"), ("stroke-width", "1")])
    svg.element("line", [("x1", W.num(left)), ("x2", W.num(left)), ("y1", W.num(top)), ("y2", W.num(bottom))])
    for (label, t) in zip(ys.labels, ys.ticks) {
      guard let y = py(t) else { continue }
      svg.element("line", [("x1", W.num(left - 5)), ("x2", W.num(left)), ("y1", W.num(y)), ("y2", W.num(y))])
      svg.element("text", [("class", "tick"), ("x", W.num(left - 8)), ("y", W.num(y + 4)), ("text-anchor", "end"),
                           ("stroke", "none"), ("fill", "#333")], text: label)
    }
    svg.close("g")
    svg.element("text", [("class", "xlabel"), ("x", W.num((left + right) / 2)), ("y", W.num(svg.height - 14)),
                         ("text-anchor", "middle")], text: spec.xlabel ?? spec.x + (spec.logx ? " (log)" : ""))
    let cy = (top + bottom) / 2
    svg.element("text", [("class", "ylabel"), ("x", "18"), ("y", W.num(cy)), ("text-anchor", "middle"),
                         ("transform", "rotate(-90 18 \(W.num(cy)))")], text: spec.ylabel ?? spec.y + (spec.logy ? " (log)" : ""))
  }

  enum Swatch { case line, box, dot, dashed }

  /// Legend to the right of the plot area: one entry per series (+ extra entries such as the Pareto front).
  /// A single series without extras gets no legend (the axis label names it). Line entries show the line and
  /// the series' marker; text is shortened with "…" so it always ends inside the canvas.
  mutating func drawLegend(_ names: [String], swatch: Swatch, extra: [(String, String, Swatch)] = []) {
    typealias W = SVGWriter
    if names.count <= 1 && extra.isEmpty { return }
    var entries: [(String, String, String, Swatch, Int)] = names.enumerated().map { i, n in (n, W.colour(i), W.dash(i), swatch, i) }
    entries += extra.map { ($0.0, $0.1, "", $0.2, -1) }
    // Entries are 20 px apart; with many series they squeeze (down to 9 px, smaller text) to stay in the figure.
    let step = Swift.max(9, Swift.min(20, (svg.height - top - 12) / Double(Swift.max(1, entries.count))))
    let fontSize = step >= 16 ? 12.0 : Swift.max(7, step - 2)
    svg.open("g", [("class", "legend"), ("font-size", W.num(fontSize))])
    var y = top + 8
    let x = right + 16
    let textX = x + 28, room = svg.width - textX - 4
    for (name, colour, dash, sw, index) in entries {
      svg.open("g", [("class", "legend-item"), ("data-series", name)])
      switch sw {
      case .line, .dashed:
        var a: [(String, String)] = [("class", "swatch"), ("x1", W.num(x)), ("x2", W.num(x + 22)), ("y1", W.num(y)), ("y2", W.num(y)),
                                     ("stroke", colour), ("stroke-width", "2.5")]
        let d = sw == .dashed ? "5 3" : dash
        if !d.isEmpty { a.append(("stroke-dasharray", d)) }
        svg.element("line", a)
        if sw == .line && index >= 0 { svg.marker(W.marker(index), x: x + 11, y: y, r: 3.5, colour: colour, attrs: [("class", "marker")]) }
      case .box:
        svg.element("rect", [("x", W.num(x)), ("y", W.num(y - 6)), ("width", "22"), ("height", "12"), ("fill", colour)])
      case .dot:
        svg.marker(index >= 0 ? W.marker(index) : .circle, x: x + 11, y: y, r: 4, colour: colour, attrs: [("class", "marker")])
      }
      svg.element("text", [("x", W.num(textX)), ("y", W.num(y + 4))], text: Frame.fit(name, width: room, fontSize: fontSize))
      svg.close("g")
      y += step
    }
    svg.close("g")
  }

  /// `s` if it fits in `width` px at `fontSize`, else its longest prefix that fits followed by "…"
  /// (the full name stays in the entry's data-series attribute).
  static func fit(_ s: String, width: Double, fontSize: Double) -> String {
    if SVGWriter.textWidth(s, fontSize: fontSize) <= width { return s }
    var t = s
    while !t.isEmpty && SVGWriter.textWidth(t + "…", fontSize: fontSize) > width { t.removeLast() }
    return t + "…"
  }

  static func scale(_ lo: Double, _ hi: Double, log: Bool) -> Scale {
    log ? Ticks.log(lo, hi) : Ticks.linear(lo, hi)
  }
}
