// Grouped bar charts: x is categorical (one group per value, in order of appearance), one bar per series
// inside each group at the mean of y, with a 95% Student-t error bar over replicates (the `band` column,
// or the raw rows of the cell when there is no band column). Bars start at 0 (at the axis bottom on log y).
import Foundation

struct BarCell { var group: String; var series: String; var ci: ConfidenceInterval }

extension Figure {
  static func barCells(_ pts: [Point], useBand: Bool) -> (groups: [String], series: [String], cells: [BarCell]) {
    var groups: [String] = [], seen = Set<String>()
    var samples: [String: [String: [String: [Double]]]] = [:]   // group → series → replicate → ys
    var rawCount = 0
    for p in pts where p.y.isFinite {
      let g = p.x.plainText
      if !seen.contains(g) { seen.insert(g); groups.append(g) }
      let rep = useBand ? (p.band ?? "") : String(rawCount)
      rawCount += 1
      samples[g, default: [:]][p.series, default: [:]][rep, default: []].append(p.y)
    }
    let series = seriesOrder(pts)
    var cells: [BarCell] = []
    for g in groups {
      for s in series {
        guard let reps = samples[g]?[s] else { continue }
        let values = reps.keys.sorted(by: utf8Less).map { Stats.mean(reps[$0]!) }
        cells.append(BarCell(group: g, series: s, ci: Stats.ci95(values)))
      }
    }
    return (groups, series, cells)
  }

  static func barChart(_ spec: PlotSpec, _ pts: [Point]) throws -> String {
    if spec.logx { throw LabError.invalidPlot("bar charts have a categorical x axis: logx is not available") }
    let (groups, series, cells) = barCells(pts, useBand: spec.band != nil)
    guard !cells.isEmpty else { throw LabError.invalidPlot("no plottable bars for y='\(spec.y)'") }
    var yv: [Double] = spec.logy ? [] : [0]
    for c in cells { for v in [c.ci.low, c.ci.high] where !spec.logy || v > 0 { yv.append(v) } }
    guard !yv.isEmpty else { throw LabError.invalidPlot("no positive values for a log y axis") }
    var f = Frame(spec, xs: Ticks.linear(0, 1), ys: Frame.scale(yv.min()!, yv.max()!, log: spec.logy))
    let groupWidth = (f.right - f.left) / Double(groups.count)
    let centres = groups.enumerated().map { ($1, f.left + (Double($0) + 0.5) * groupWidth) }
    f.drawAxes(spec, categories: centres)
    typealias W = SVGWriter
    let barWidth = groupWidth * 0.8 / Double(series.count)
    let base = spec.logy ? f.bottom : (f.py(0) ?? f.bottom)
    f.svg.open("g", [("class", "data"), ("clip-path", "url(#plot-area)")])
    for (si, s) in series.enumerated() {
      f.svg.open("g", [("class", "series"), ("data-series", s)])
      for (gi, g) in groups.enumerated() {
        guard let c = cells.first(where: { $0.group == g && $0.series == s }), let top = f.py(c.ci.mean) else { continue }
        let x = f.left + Double(gi) * groupWidth + groupWidth * 0.1 + Double(si) * barWidth
        f.svg.element("rect", [("class", "bar"), ("data-series", s), ("data-group", g), ("x", W.num(x)),
                               ("y", W.num(Swift.min(top, base))), ("width", W.num(barWidth * 0.92)),
                               ("height", W.num(Swift.abs(base - top))), ("fill", W.colour(si))])
        if c.ci.n >= 2, let hi = f.py(c.ci.high) {
          let lo = f.py(spec.logy ? Swift.max(c.ci.low, f.ys.lo) : c.ci.low) ?? f.bottom
          let cx = x + barWidth * 0.46
          let d = "M\(W.num(cx)) \(W.num(lo)) L\(W.num(cx)) \(W.num(hi)) M\(W.num(cx - 4)) \(W.num(hi)) L\(W.num(cx + 4)) \(W.num(hi)) M\(W.num(cx - 4)) \(W.num(lo)) L\(W.num(cx + 4)) \(W.num(lo))"
          f.svg.element("path", [("class", "errorbar"), ("data-series", s), ("data-group", g), ("stroke", "#222"),
                                 ("stroke-width", "1.2"), ("fill", "none"), ("d", d)])
        }
      }
      f.svg.close("g")
    }
    f.svg.close("g")
    f.drawLegend(series, swatch: .box)
    return f.svg.document()
  }
}
