import CLua
import Foundation
import Lab
import LuaBridge

/// A CSV writer held by Lua (`run:csv`), with its file name inside the run folder.
final class CSVBox {
  let writer: CSVWriter
  let file: String
  let runDir: URL
  init(_ w: CSVWriter, file: String, runDir: URL) { writer = w; self.file = file; self.runDir = runDir }
}

final class JSONLBox {
  let writer: JSONLWriter
  init(_ w: JSONLWriter) { writer = w }
}

extension LabBinding {
  /// A scalar cell (nil, boolean, number, string) of column `column`; anything else is an argument error.
  static func cell(_ call: LuaCall, _ v: LuaValue, column: String) throws -> JSONValue {
    switch v {
    case .nil: return .null
    case .boolean(let b): return .bool(b)
    case .integer(let n): return .int(n)
    case .number(let d): return .number(d)
    case .string(let s): return .string(s)
    default: throw call.argumentError(2, "column '\(column)': number, string or boolean expected, got \(v.typeName)")
    }
  }

  static let csvClass: LuaClass<CSVBox> = LuaClass<CSVBox>("edgelab.CSVWriter")
    /// w:add{v1, v2, ...} (one value per column, nil allowed) or w:add{col = v, ...}
    .method("add") { call, b in
      let L = call.L
      guard lua_type(L, 2) == LUA_TTABLE else { throw call.typeError(2, expected: "table (row)") }
      let cols = b.writer.columns
      lua_rawgeti(L, 2, 1)
      let positional = lua_type(L, -1) != LUA_TNIL || lua_rawlen(L, 2) > 0
      edgelab_pop(L, 1)
      if positional {
        var row: [JSONValue] = []
        for (k, c) in cols.enumerated() {
          lua_rawgeti(L, 2, lua_Integer(k + 1))
          defer { edgelab_pop(L, 1) }
          row.append(try cell(call, try LuaState.value(L, at: -1), column: c))
        }
        lua_rawgeti(L, 2, lua_Integer(cols.count + 1))
        let extra = lua_type(L, -1) != LUA_TNIL
        edgelab_pop(L, 1)
        if extra { throw call.argumentError(2, "row has more than \(cols.count) values (columns: \(cols.joined(separator: ", ")))") }
        try b.writer.add(row)
      } else {
        guard case .table(let t) = try call.table(2) else { throw call.argumentError(2, "row table expected") }
        var row: [String: JSONValue] = [:]
        for (k, v) in t { row[k] = try cell(call, v, column: k) }
        do { try b.writer.add(row) } catch LabError.unknownColumn(_, let c) {
          throw call.argumentError(2, "unknown column '\(c)' (columns: \(cols.joined(separator: ", ")))")
        }
      }
      return 0
    }
    .method("flush") { _, b in try b.writer.flush(); return 0 }
    .method("close") { _, b in try b.writer.close(); return 0 }
    .property("file") { b in .string(b.file) }
    .property("path") { b in .string(b.writer.url.path) }
    .property("rows") { b in .integer(b.writer.rowCount) }
    .property("columns") { b in .array(b.writer.columns.map { .string($0) }) }
    .tostring { b in "edgelab.CSVWriter(\(b.file), \(b.writer.rowCount) rows)" }
    .close { b, _ in try b.writer.close() }

  static let jsonlClass: LuaClass<JSONLBox> = LuaClass<JSONLBox>("edgelab.JSONLWriter")
    .method("add") { call, b in
      try b.writer.add(try json(try call.table(2), "record"))
      return 0
    }
    .method("flush") { _, b in try b.writer.flush(); return 0 }
    .method("close") { _, b in try b.writer.close(); return 0 }
    .property("path") { b in .string(b.writer.url.path) }
    .property("count") { b in .integer(b.writer.count) }
    .tostring { b in "edgelab.JSONLWriter(\(b.writer.url.lastPathComponent), \(b.writer.count) records)" }
    .close { b, _ in try b.writer.close() }

  static let progressClass: LuaClass<ProgressLine> = LuaClass<ProgressLine>("edgelab.Progress")
    /// p:update(step [, metric_name, value])
    .method("update") { call, p in
      let step = try call.integer(2)
      var metric: (String, Double)?
      if !call.isNoneOrNil(3) { metric = (try call.string(3), try call.number(4)) }
      p.update(step, metric: metric)
      return 0
    }
    .method("done") { _, p in p.finish(); return 0 }
    .close { p, _ in p.finish() }

  // MARK: run:plot

  static let plotKeys: Set<String> = ["data", "x", "y", "by", "band", "kind", "logx", "logy", "pareto", "file",
                                      "title", "xlabel", "ylabel", "width", "height"]

  static func plot(_ call: LuaCall, _ b: LabRunBox) throws -> URL {
    guard case .table(let o) = try call.table(2) else { throw call.argumentError(2, "options table expected") }
    for k in o.keys.sorted() where !plotKeys.contains(k) {
      throw call.argumentError(2, "unknown option '\(k)' (expected: \(plotKeys.sorted().joined(separator: ", ")))")
    }
    func str(_ k: String) throws -> String? {
      switch o[k] ?? .nil {
      case .nil: return nil
      case .string(let s): return s
      case let v: throw call.argumentError(2, "'\(k)' must be a string, got \(v.typeName)")
      }
    }
    func flag(_ k: String) throws -> Bool {
      switch o[k] ?? .nil {
      case .nil: return false
      case .boolean(let x): return x
      case let v: throw call.argumentError(2, "'\(k)' must be a boolean, got \(v.typeName)")
      }
    }
    guard let x = try str("x"), let y = try str("y") else { throw call.argumentError(2, "'x' and 'y' (column names) are required") }
    let kindName = try str("kind") ?? "line"
    guard let kind = PlotSpec.Kind(rawValue: kindName) else {
      throw call.argumentError(2, "'kind' must be line, bar or scatter, got '\(kindName)'")
    }
    var spec = PlotSpec(kind: kind, x: x, y: y, by: try str("by"), band: try str("band"))
    spec.logx = try flag("logx"); spec.logy = try flag("logy")
    spec.title = try str("title"); spec.xlabel = try str("xlabel"); spec.ylabel = try str("ylabel")
    for k in ["width", "height"] {
      guard let v = o[k], !v.isNil else { continue }
      guard let d = v.doubleValue, d >= 200, d <= 4000 else { throw call.argumentError(2, "'\(k)' must be a number in 200…4000") }
      if k == "width" { spec.width = d } else { spec.height = d }
    }
    switch o["pareto"] ?? .nil {
    case .nil, .boolean(false): break
    case .boolean(true): spec.pareto = .minXmaxY
    case .string(let s):
      guard let p = PlotSpec.Pareto(rawValue: s) else {
        throw call.argumentError(2, "'pareto' must be true or one of min-max, min-min, max-max, max-min (x-y better direction), got '\(s)'")
      }
      spec.pareto = p
    case let v: throw call.argumentError(2, "'pareto' must be a boolean or a string, got \(v.typeName)")
    }
    if spec.pareto != nil && kind != .scatter { throw call.argumentError(2, "'pareto' applies to kind = \"scatter\" only") }
    let file = try str("file") ?? "\(y)-vs-\(x).svg"
    let data: PlotData
    switch o["data"] ?? .nil {
    case .nil: throw call.argumentError(2, "'data' is required (a CSV writer, a CSV file name, or an array of rows)")
    case .array(let rows): data = try rowsData(rows, call)
    case let v: data = PlotData(try b.run.readCSV(try csvFile(v, call, 2, b)))
    }
    do { return try b.run.plot(spec, data: data, file: file) } catch let e as LabError {
      throw call.argumentError(2, e.description)
    }
  }

  /// Rows given as keyed tables: columns = union of keys (sorted), missing cells null.
  static func rowsData(_ rows: [LuaValue], _ call: LuaCall) throws -> PlotData {
    var cols = Set<String>()
    var dicts: [[String: JSONValue]] = []
    for (i, r) in rows.enumerated() {
      guard case .table(let t) = r else { throw call.argumentError(2, "data row \(i + 1) must be a table with named fields") }
      var d: [String: JSONValue] = [:]
      for (k, v) in t { d[k] = try json(v, "data row \(i + 1)"); cols.insert(k) }
      dicts.append(d)
    }
    let names = cols.sorted()
    return PlotData(columns: names, rows: dicts.map { d in names.map { d[$0] ?? .null } })
  }
}
