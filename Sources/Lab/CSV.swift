// Tidy CSV: a header row, RFC 4180 quoting (fields containing , " CR or LF are quoted, quotes doubled),
// LF line ends, round-trip numbers (NumberFormat), empty cell for null. Rows stream to `<file>.partial`
// and are renamed into place on close (see StreamingFile). Same rows ⇒ byte-identical file.
import Foundation

public final class CSVWriter {
  public let url: URL
  public let columns: [String]
  let stream: StreamingFile
  public private(set) var rowCount = 0
  private let columnIndex: [String: Int]
  /// A shard's row-order log (rows it does not keep are dropped): see Shard.swift.
  var order: RowOrder?

  public init(url: URL, columns: [String], discarding: Bool = false) throws {
    guard !columns.isEmpty else { throw LabError.invalidName("\(url.lastPathComponent): no columns") }
    var idx: [String: Int] = [:]
    for (i, c) in columns.enumerated() {
      if idx[c] != nil { throw LabError.invalidName("\(url.lastPathComponent): duplicate column '\(c)'") }
      idx[c] = i
    }
    self.url = url
    self.columns = columns
    self.columnIndex = idx
    stream = try StreamingFile(url: url, discarding: discarding)
    try stream.write(CSVWriter.line(columns.map { JSONValue.string($0) }))
  }

  public var isClosed: Bool { stream.isClosed }

  /// Add a row given positionally (one value per column).
  public func add(_ values: [JSONValue]) throws {
    guard !stream.isClosed else { throw LabError.closed(url.lastPathComponent) }
    guard values.count == columns.count else {
      throw LabError.columnCount(file: url.lastPathComponent, expected: columns.count, got: values.count)
    }
    if let o = order, try !o.admit() { return }
    try stream.write(CSVWriter.line(values))
    rowCount += 1
  }

  /// Add a row given by column name; missing columns are empty, unknown names are an error.
  public func add(_ row: [String: JSONValue]) throws {
    var values = [JSONValue](repeating: .null, count: columns.count)
    for k in row.keys.sorted(by: utf8Less) {
      guard let i = columnIndex[k] else { throw LabError.unknownColumn(file: url.lastPathComponent, column: k) }
      values[i] = row[k]!
    }
    try add(values)
  }

  public func flush() throws { try stream.flush(); try order?.stream.flush() }
  public func close() throws {
    defer { try? order?.stream.close() }
    try stream.close()
    try order?.stream.close()
  }

  static func line(_ values: [JSONValue]) -> String {
    var s = ""
    for (i, v) in values.enumerated() {
      if i > 0 { s += "," }
      s += field(v)
    }
    return s + "\n"
  }

  public static func field(_ v: JSONValue) -> String {
    let text: String
    switch v {
    case .number(let d): text = NumberFormat.roundTrip(d)
    default: text = v.plainText
    }
    if text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
      return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
    return text
  }
}

/// A CSV file read back: header and rows of text cells; `value` gives numbers where a cell parses as one.
public struct CSVTable: Equatable {
  public var columns: [String]
  public var rows: [[String]]

  public init(columns: [String], rows: [[String]]) { self.columns = columns; self.rows = rows }

  public static func read(_ url: URL) throws -> CSVTable {
    let text: String
    do { text = try String(contentsOf: url, encoding: .utf8) } catch {
      throw LabError.io("cannot read \(url.path): \(error.localizedDescription)")
    }
    return try parse(text, name: url.lastPathComponent)
  }

  /// RFC 4180 parser (CRLF or LF line ends, quoted fields with doubled quotes and embedded newlines).
  public static func parse(_ text: String, name: String = "csv") throws -> CSVTable {
    var records: [[String]] = []
    var record: [String] = []
    var field = ""
    var inQuotes = false, wasQuoted = false
    var line = 1
    var it = Array(text.unicodeScalars)[...]
    func endField() { record.append(field); field = ""; wasQuoted = false }
    while let c = it.popFirst() {
      if inQuotes {
        if c == "\"" {
          if it.first == "\"" { it.removeFirst(); field.unicodeScalars.append("\"") } else { inQuotes = false }
        } else {
          if c == "\n" { line += 1 }
          field.unicodeScalars.append(c)
        }
        continue
      }
      switch c {
      case "\"":
        guard field.isEmpty && !wasQuoted else {
          throw LabError.csvParse(file: name, line: line, reason: "quote inside an unquoted field")
        }
        inQuotes = true; wasQuoted = true
      case ",": endField()
      case "\r":
        if it.first == "\n" { continue }
        endField(); records.append(record); record = []; line += 1
      case "\n":
        endField(); records.append(record); record = []; line += 1
      default:
        if wasQuoted { throw LabError.csvParse(file: name, line: line, reason: "text after a closing quote") }
        field.unicodeScalars.append(c)
      }
    }
    if inQuotes { throw LabError.csvParse(file: name, line: line, reason: "unterminated quoted field") }
    if !field.isEmpty || wasQuoted || !record.isEmpty { endField(); records.append(record) }
    guard let header = records.first else { throw LabError.csvParse(file: name, line: 1, reason: "empty file") }
    let body = Array(records.dropFirst())
    for (i, r) in body.enumerated() where r.count != header.count {
      throw LabError.csvParse(file: name, line: i + 2,
                              reason: "\(r.count) fields, header has \(header.count)")
    }
    return CSVTable(columns: header, rows: body)
  }

  public func columnIndex(_ name: String) throws -> Int {
    guard let i = columns.firstIndex(of: name) else { throw LabError.unknownColumn(file: "table", column: name) }
    return i
  }

  /// Cell as a JSON value: number when it parses as a Double (incl. nan/inf), empty → null, else string.
  public static func value(_ cell: String) -> JSONValue {
    if cell.isEmpty { return .null }
    if let d = Double(cell) { return .number(d) }
    return .string(cell)
  }
}
