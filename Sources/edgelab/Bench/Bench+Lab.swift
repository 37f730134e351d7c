import EdgeLabLua
import Foundation
import Lab
import LuaBridge

/// `edgelab bench lab`: the costs an experiment pays for logging and figures.
/// - CSV rows/s written from Swift (4 mixed columns, round-trip number formatting, streamed to .partial).
/// - The same rows added from Lua through `run:csv(...):add{...}` (the path scripts use): ns per row.
/// - Canonical JSONL records/s.
/// - SVG line plot (mean + 95% band over 5 seeds, 3 series) from a 15 000-row CSV: ms per figure,
///   including reading and parsing the CSV back.
extension BenchSuite {
  static let lab = BenchSuite(name: "lab", summary: "CSV/JSONL writer throughput, Lua row logging, SVG figure time") { report in
    let rows = report.quick ? 20_000 : 500_000
    let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("edgelab-bench-lab-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }

    let swiftCSV = try BenchReport.time(repeats: 3) {
      let w = try CSVWriter(url: dir.appendingPathComponent("swift.csv"), columns: ["agent", "seed", "step", "return"])
      for i in 0..<rows { try w.add([.string("ppo"), .int(i % 5), .int(i), .number(Double(i) * 0.001 + 0.1)]) }
      try w.close()
    }
    report.record("csv_rows_per_s_swift", Double(rows) / swiftCSV.median, unit: "rows/s", lowerIsBetter: false)

    let jsonl = try BenchReport.time(repeats: 3) {
      let w = try JSONLWriter(url: dir.appendingPathComponent("x.jsonl"))
      for i in 0..<rows { try w.add(["step": .int(i), "loss": .number(Double(i) * 1e-3), "agent": "ppo"]) }
      try w.close()
    }
    report.record("jsonl_records_per_s_swift", Double(rows) / jsonl.median, unit: "records/s", lowerIsBetter: false)

    let session = EdgeLabSession(seed: 1)
    let lua = try EdgeLab.makeState(session: session)
    let f = try lua.load("""
      local n, root = ...
      local lab = require("edgelab").lab
      local run <close> = lab.run { name = "bench", root = root }
      local w = run:csv("lua.csv", { "agent", "seed", "step", "return" })
      for i = 1, n do w:add { "ppo", i % 5, i, i * 0.001 + 0.1 } end
      """, name: "=bench")
    let empty = try lua.load("local n = ...; local x = 0; for i = 1, n do x = x + i * 0.001 end", name: "=empty")
    let luaCSV = try BenchReport.time(repeats: 3) { try f.call([.integer(rows), .string(dir.path)]) }
    let loop = try BenchReport.time(repeats: 3) { try empty.call([.integer(rows)]) }
    report.record("csv_add_from_lua_ns_per_row", (luaCSV.median - loop.median) / Double(rows) * 1e9, unit: "ns/row")
    lua.close()

    // figure: 3 agents × 5 seeds × 1000 steps
    let fig = dir.appendingPathComponent("fig.csv")
    let w = try CSVWriter(url: fig, columns: ["agent", "seed", "step", "return"])
    var rng = SplitMix64(seed: 7)
    for agent in ["ppo", "wmppo", "random"] {
      for seed in 1...5 { for step in 0..<1000 { try w.add([.string(agent), .int(seed), .int(step * 100), .number(Double(rng.below(10_000)) / 1e4)]) } }
    }
    try w.close()
    var svgBytes = 0
    let plot = try BenchReport.time(repeats: 5) {
      let data = PlotData(try CSVTable.read(fig))
      let svg = try Figure.svg(PlotSpec(kind: .line, x: "step", y: "return", by: "agent", band: "seed"), data: data)
      svgBytes = svg.utf8.count
    }
    report.record("svg_line_plot_15k_rows_ms", plot.median * 1e3, unit: "ms")
    report.note("rows", rows)
    report.note("svg_bytes", svgBytes)
  }
}
