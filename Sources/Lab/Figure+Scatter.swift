// Scatter plots: one marker per row, coloured by series, with an optional Pareto front over all points
// (non-dominated set for the chosen directions, drawn as a dashed line through the front sorted by x).
import Foundation

extension Figure {
  /// Indices of the non-dominated points. `minX`/`minY` say which direction is better on each axis.
  /// A point is dominated when another is at least as good on both axes and strictly better on one.
  public static func paretoFront(_ pts: [(Double, Double)], minX: Bool, minY: Bool) -> [Int] {
    let sx = minX ? 1.0 : -1.0, sy = minY ? 1.0 : -1.0
    // minimise (sx·x, sy·y): sort by the first, then keep points that strictly improve the second.
    let order = pts.indices.filter { pts[$0].0.isFinite && pts[$0].1.isFinite }.sorted { a, b in
      let (xa, xb) = (sx * pts[a].0, sx * pts[b].0)
      if xa != xb { return xa < xb }
      let (ya, yb) = (sy * pts[a].1, sy * pts[b].1)
      return ya != yb ? ya < yb : a < b
    }
    var best = Double.infinity
    var front: [Int] = []
    for i in order where sy * pts[i].1 < best {
      best = sy * pts[i].1
      front.append(i)
    }
    return front
  }

  static func scatterChart(_ spec: PlotSpec, _ pts: [Point]) throws -> String {
    var xy: [(Double, Double)] = [], names: [String] = []
    for p in pts {
      guard let x = p.x.doubleValue else {
        throw LabError.invalidPlot("x value '\(p.x.plainText)' is not a number (scatter plots need numeric x)")
      }
      guard x.isFinite, p.y.isFinite, !spec.logx || x > 0, !spec.logy || p.y > 0 else { continue }
      xy.append((x, p.y)); names.append(p.series)
    }
    guard !xy.isEmpty else { throw LabError.invalidPlot("no plottable points for y='\(spec.y)'") }
    var f = Frame(spec, xs: Frame.scale(xy.map(\.0).min()!, xy.map(\.0).max()!, log: spec.logx),
                  ys: Frame.scale(xy.map(\.1).min()!, xy.map(\.1).max()!, log: spec.logy))
    f.drawAxes(spec)
    typealias W = SVGWriter
    let series = seriesOrder(pts).filter { names.contains($0) }
    f.svg.open("g", [("class", "data")])   // not clipped: points on the domain edge stay whole
    for (si, s) in series.enumerated() {
      f.svg.open("g", [("class", "series"), ("data-series", s)])
      for (i, p) in xy.enumerated() where names[i] == s {
        guard let cx = f.px(p.0), let cy = f.py(p.1) else { continue }
        f.svg.marker(W.marker(si), x: cx, y: cy, r: 4, colour: W.colour(si),
                     attrs: [("class", "point"), ("data-series", s), ("fill-opacity", "0.85")])
      }
      f.svg.close("g")
    }
    var extra: [(String, String, Frame.Swatch)] = []
    if let pareto = spec.pareto {
      let minX = pareto == .minXmaxY || pareto == .minXminY
      let minY = pareto == .minXminY || pareto == .maxXminY
      let front = paretoFront(xy, minX: minX, minY: minY).sorted { xy[$0].0 < xy[$1].0 }
      let line = front.compactMap { i -> (Double, Double)? in
        guard let a = f.px(xy[i].0), let b = f.py(xy[i].1) else { return nil }
        return (a, b)
      }
      f.svg.element("path", [("class", "pareto"), ("data-points", String(front.count)), ("fill", "none"),
                             ("stroke", "#222"), ("stroke-width", "1.5"), ("stroke-dasharray", "5 3"),
                             ("d", W.polyline(line))])
      extra.append(("Pareto front", "#222", .dashed))
    }
    f.svg.close("g")
    f.drawLegend(series, swatch: .dot, extra: extra)
    return f.svg.document()
  }
}
