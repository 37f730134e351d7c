// Line plots: one line per series through the mean of y at each x; with a `band` column (e.g. seed) a
// shaded 95% Student-t confidence band over the replicates (each replicate's rows at one x are averaged
// first, so a replicate counts once).
import Foundation

/// Mean and CI of y per x for one series (x ascending).
struct SeriesSummary { var name: String; var xs: [Double]; var cis: [ConfidenceInterval] }

extension Figure {
  /// Group numeric-x points into per-series summaries (used by line plots and tested directly).
  static func summarise(_ pts: [Point], useBand: Bool) throws -> [SeriesSummary] {
    var bySeries: [String: [Double: [String: [Double]]]] = [:]
    for p in pts {
      guard let x = p.x.doubleValue else {
        throw LabError.invalidPlot("x value '\(p.x.plainText)' is not a number (line plots need numeric x)")
      }
      guard x.isFinite, p.y.isFinite else { continue }
      let key = useBand ? (p.band ?? "") : String(bySeries[p.series]?[x]?.count ?? 0)
      bySeries[p.series, default: [:]][x, default: [:]][key, default: []].append(p.y)
    }
    return seriesOrder(pts).compactMap { name in
      guard let byX = bySeries[name] else { return nil }
      let xs = byX.keys.sorted()
      let cis = xs.map { x -> ConfidenceInterval in
        let groups = byX[x]!
        let samples = useBand ? groups.keys.sorted(by: utf8Less).map { Stats.mean(groups[$0]!) }
                              : groups.keys.sorted { Int($0)! < Int($1)! }.flatMap { groups[$0]! }
        return Stats.ci95(samples)
      }
      return SeriesSummary(name: name, xs: xs, cis: cis)
    }
  }

  static func lineChart(_ spec: PlotSpec, _ pts: [Point]) throws -> String {
    let series = try summarise(pts, useBand: spec.band != nil)
    var xv: [Double] = [], yv: [Double] = []
    for s in series {
      for (x, c) in zip(s.xs, s.cis) {
        if !spec.logx || x > 0 { xv.append(x) }
        for v in [c.low, c.high, c.mean] where !spec.logy || v > 0 { yv.append(v) }
      }
    }
    guard !xv.isEmpty, !yv.isEmpty else { throw LabError.invalidPlot("no plottable points for y='\(spec.y)'") }
    var f = Frame(spec, xs: Frame.scale(xv.min()!, xv.max()!, log: spec.logx),
                  ys: Frame.scale(yv.min()!, yv.max()!, log: spec.logy))
    f.drawAxes(spec)
    typealias W = SVGWriter
    f.svg.open("g", [("class", "data"), ("clip-path", "url(#plot-area)")])
    for (i, s) in series.enumerated() {
      f.svg.open("g", [("class", "series"), ("data-series", s.name)])
      let colour = W.colour(i)
      if spec.band != nil && s.cis.contains(where: { $0.n >= 2 }) {
        var upper: [(Double, Double)] = [], lower: [(Double, Double)] = []
        for (x, c) in zip(s.xs, s.cis) {
          guard let px = f.px(x) else { continue }
          let lo = spec.logy ? Swift.max(c.low, f.ys.lo) : c.low
          if let a = f.py(c.high), let b = f.py(lo) { upper.append((px, a)); lower.append((px, b)) }
        }
        if !upper.isEmpty {
          f.svg.element("path", [("class", "band"), ("data-series", s.name), ("fill", colour), ("fill-opacity", "0.18"),
                                 ("stroke", "none"), ("d", W.polyline(upper + lower.reversed()) + " Z")])
        }
      }
      var line: [(Double, Double)] = []
      for (x, c) in zip(s.xs, s.cis) { if let px = f.px(x), let py = f.py(c.mean) { line.append((px, py)) } }
      var attrs: [(String, String)] = [("class", "line"), ("data-series", s.name), ("fill", "none"), ("stroke", colour),
                                       ("stroke-width", "2"), ("stroke-linejoin", "round")]
      if !W.dash(i).isEmpty { attrs.append(("stroke-dasharray", W.dash(i))) }
      f.svg.element("path", attrs + [("d", W.polyline(line))])
      // A marker at every mean, shaped per series: coincident lines stay visible.
      for (px, py) in line {
        f.svg.marker(W.marker(i), x: px, y: py, r: 3.5, colour: colour, attrs: [("class", "marker"), ("data-series", s.name)])
      }
      f.svg.close("g")
    }
    f.svg.close("g")
    f.drawLegend(series.map(\.name), swatch: .line)
    return f.svg.document()
  }
}
